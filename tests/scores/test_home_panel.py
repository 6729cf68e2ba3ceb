"""The home page's 考核 panel: last month's lists for the centre, the unit's own score for its users."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from portal.auth.roles import Role
from portal.extensions import db
from tests.scores.helpers import scheme, unit_with

NOW = datetime(2018, 9, 29, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_home_panels(client, login_as):
    with time_machine.travel(NOW, tick=False):
        scheme(red_size=1, black_size=1)
        good = unit_with(4, short_name="好单位")
        weak = unit_with(1, 3, short_name="差单位")
        db.session.commit()
        login_as(Role.CENTRE_STAFF)
        html = client.get("/").get_data(as_text=True)
        assert 'data-testid="scores-home-panel"' in html and "好单位" in html and "差单位" in html
        login_as(Role.LIAISON, unit=weak)
        html = client.get("/").get_data(as_text=True)
        assert "得分 <strong>25.00</strong> / 100 分" in html and "列入黑榜" in html and "好单位" not in html
        assert good.id != weak.id
