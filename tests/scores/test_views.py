"""The 考核 pages: centre board, a unit's own page (scoped), schemes, deductions/bonuses, XLSX."""
from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from portal.audit.models import AuditEvent
from portal.auth.roles import Role
from portal.extensions import db
from portal.scores.models import Adjustment, AdjustmentKind, Scheme
from portal.scores.services import ItemSpec, add_adjustment
from tests.scores.helpers import scheme, unit_with

NOW = datetime(2018, 9, 29, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def august():
    scheme(items=[ItemSpec("on_time", 70, 60), ItemSpec("sign", 30, None)], red_size=1, black_size=1)
    good = unit_with(4, short_name="好单位", display_order=1)
    weak = unit_with(1, 3, short_name="差单位", display_order=2)
    add_adjustment(None, unit=weak, month=date(2018, 8, 1), kind=AdjustmentKind.DEDUCT, hundredths=150,
                   reason="答复不规范：未写明联系方式", at=datetime(2018, 9, 20, 10, 0))
    db.session.commit()
    return good, weak


def test_centre_sees_every_group_with_ranks_and_lists(client, login_as, august):
    login_as(Role.CENTRE_STAFF)
    html = client.get("/scores/?month=2018-08").get_data(as_text=True)
    assert "好单位" in html and "差单位" in html and "红榜" in html and "黑榜" in html
    assert "月度考核办法" in html
    fragment = client.get("/scores/?month=2018-08", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and 'data-testid="score-table"' in fragment


def test_a_bad_month_is_refused_in_chinese(client, login_as, august):
    login_as(Role.CENTRE_STAFF)
    resp = client.get("/scores/?month=2018-13", headers=HX)
    assert resp.status_code == 422
    assert "请输入有效的月份" in resp.get_data(as_text=True)


def test_a_month_without_a_scheme_says_so(client, login_as, august):
    login_as(Role.ADMIN)
    html = client.get("/scores/?month=2018-06").get_data(as_text=True)
    assert "2018年6月没有适用的考核方案" in html


def test_export_is_a_workbook_of_the_table_and_the_reasons(client, login_as, august):
    login_as(Role.CENTRE_STAFF)
    resp = client.get("/scores/export.xlsx?month=2018-08")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(resp.data))
    table = list(wb["考核得分"].iter_rows(values_only=True))
    assert table[1][:4] == ("名次", "承办单位", "按期办结率", "签收及时率")
    units = {row[1]: row for row in table if row[1] in ("好单位", "差单位")}
    assert units["好单位"][-2] == 100.0 and units["好单位"][-1] == "红榜"
    assert units["差单位"][-4] == 1.5 and units["差单位"][-1] == "黑榜"
    reasons = list(wb["加扣分明细"].iter_rows(values_only=True))
    assert reasons[1][:4] == ("差单位", "扣分", 1.5, "答复不规范：未写明联系方式")


def test_a_unit_sees_its_own_score_and_what_cost_it_points(client, login_as, august):
    good, weak = august
    login_as(Role.LIAISON, unit=weak)
    html = client.get("/scores/mine?month=2018-08").get_data(as_text=True)
    assert "差单位" in html and "低于门槛，该项不得分" in html and "答复不规范：未写明联系方式" in html
    assert "好单位" not in html  # no other unit's score on its page
    assert client.get(f"/scores/unit/{weak.id}?month=2018-08").status_code == 200


def test_a_unit_cannot_open_another_units_score_page(client, login_as, august):
    good, weak = august
    login_as(Role.UNIT_LEADER, unit=weak)
    assert client.get(f"/scores/unit/{good.id}?month=2018-08").status_code == 404


def test_units_read_the_scheme_in_plain_chinese(client, login_as, august):
    _, weak = august
    login_as(Role.LIAISON, unit=weak)
    s = db.session.query(Scheme).one()
    html = client.get(f"/scores/schemes/{s.id}").get_data(as_text=True)
    assert "按期办结率低于60%时该项得0分" in html and "以此为基础新建" not in html


def _counts():
    return (db.session.query(Scheme).count(), db.session.query(Adjustment).count(),
            [a.revoked_at for a in db.session.query(Adjustment)])


@pytest.mark.parametrize("role", [Role.LIAISON, Role.UNIT_LEADER, Role.OPERATOR])
def test_denied_posts_change_nothing(client, login_as, august, role):
    _, weak = august
    login_as(role, unit=weak if role.is_unit_role else None)
    before = _counts()
    adj = db.session.query(Adjustment).one()
    form = {"unit_id": str(weak.id), "month": "2018-08", "kind": "bonus", "points": "5", "reason": "自己加分"}
    assert client.post("/scores/adjustments", data=form).status_code == 403
    assert client.post(f"/scores/adjustments/{adj.id}/revoke", data={"reason": "撤销"}).status_code == 403
    assert client.post("/scores/schemes/new", data={"name": "x"}).status_code == 403
    db.session.expire_all()
    assert _counts() == before


def test_staff_cannot_change_schemes(client, login_as, august):
    login_as(Role.CENTRE_STAFF)
    before = _counts()
    s = db.session.query(Scheme).one()
    assert client.post("/scores/schemes/new", data={"name": "x"}).status_code == 403
    assert client.post(f"/scores/schemes/{s.id}/delete").status_code == 403
    db.session.expire_all()
    assert _counts() == before


def _scheme_form(month="2018-10", **over):
    data = {"name": "新版考核办法", "effective_from": month, "red_size": "5", "black_size": "5",
            "board_scope": "group", "full_0": "150", "full_1": "100", "full_2": "100", "full_3": "100",
            "use_on_time": "y", "weight_on_time": "60", "threshold_on_time": "60",
            "use_sign": "y", "weight_sign": "40", "threshold_sign": ""}
    data.update(over)
    return data


def test_admin_adds_a_version_for_a_later_month(client, login_as, august):
    login_as(Role.ADMIN)
    form_page = client.get("/scores/schemes/new").get_data(as_text=True)
    assert 'value="2018-10"' in form_page  # next month proposed, the latest version's values copied
    resp = client.post("/scores/schemes/new", data=_scheme_form())
    assert resp.status_code == 303
    created = db.session.query(Scheme).filter_by(effective_from=date(2018, 10, 1)).one()
    assert [(i.indicator, i.weight, i.threshold) for i in created.items] == [("sign", 40, None), ("on_time", 60, 60)]
    assert db.session.query(AuditEvent).filter_by(event="score.scheme_created", object_id=str(created.id)).count() == 1
    assert created.full_marks("区县政府") == 150


def test_a_bad_scheme_is_shown_again_with_chinese_messages_and_nothing_saved(client, login_as, august):
    login_as(Role.ADMIN)
    before = _counts()
    resp = client.post("/scores/schemes/new", data=_scheme_form(weight_sign="30"))
    assert resp.status_code == 422 and "权重合计应为 100%，现为 90%" in resp.get_data(as_text=True)
    resp = client.post("/scores/schemes/new", data=_scheme_form(month="2018-09"))
    assert resp.status_code == 422 and "尚未开始的月份" in resp.get_data(as_text=True)
    db.session.rollback()
    assert _counts() == before


def test_a_started_version_cannot_be_edited(client, login_as, august):
    login_as(Role.ADMIN)
    s = db.session.query(Scheme).one()
    assert client.get(f"/scores/schemes/{s.id}/edit").status_code == 409
    assert client.post(f"/scores/schemes/{s.id}/edit", data=_scheme_form("2018-08")).status_code == 409
    db.session.expire_all()
    assert [i.indicator for i in db.session.query(Scheme).one().items] == ["on_time", "sign"]


def test_staff_enter_and_revoke_adjustments(client, login_as, august):
    good, _ = august
    login_as(Role.CENTRE_STAFF)
    form = {"unit_id": str(good.id), "month": "2018-08", "kind": "bonus", "points": "1.5", "reason": "群众表扬"}
    assert client.post("/scores/adjustments", data=form).status_code == 303
    adj = db.session.query(Adjustment).filter_by(unit_id=good.id).one()
    assert (adj.kind, adj.hundredths, adj.reason) == (AdjustmentKind.BONUS, 150, "群众表扬")
    logged = db.session.query(AuditEvent).filter_by(event="score.bonus").one()
    assert (logged.object_id, logged.detail) == (str(adj.id), "好单位 2018-08 加分1.5分：群众表扬")
    bad = client.post("/scores/adjustments", data={**form, "points": "-1"})
    assert bad.status_code == 422 and "分值应大于 0" in bad.get_data(as_text=True)
    refused = client.post(f"/scores/adjustments/{adj.id}/revoke", data={"reason": ""})
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.get(Adjustment, adj.id).revoked_at is None
    assert client.post(f"/scores/adjustments/{adj.id}/revoke", data={"reason": "重复登记"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Adjustment, adj.id).revoke_reason == "重复登记"
    assert db.session.query(AuditEvent).filter_by(event="score.revoked", object_id=str(adj.id)).count() == 1
    assert db.session.query(Adjustment).count() == 2
    listing = client.get("/scores/adjustments?month=2018-08").get_data(as_text=True)
    assert "已于" in listing and "重复登记" in listing
