"""The centre sees roster changes and the units without an active liaison."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from portal.auth.roles import Role
from portal.clock import now
from portal.extensions import db
from portal.units.models import RosterEvent
from tests.factories import UnitFactory, UserFactory

HX = {"HX-Request": "true"}


def _event(unit, at, detail, action="add_user", actor=None):
    event = RosterEvent(unit_id=unit.id, action=action, detail=detail, created_at=at, actor_id=actor.id if actor else None)
    db.session.add(event)
    db.session.commit()
    return event


def test_roster_log_filters_by_unit_and_date(client, login_as):
    staff = login_as(Role.CENTRE_STAFF)
    a, b = UnitFactory(short_name="甲单位"), UnitFactory(short_name="乙单位")
    _event(a, datetime(2026, 11, 1, 9), "甲的旧变更", actor=staff)
    _event(a, datetime(2026, 11, 20, 23, 59), "甲的新变更", action="deactivate_user")
    _event(b, datetime(2026, 11, 21, 0, 0), "乙的变更")
    page = client.get("/admin/roster-changes")
    assert page.status_code == 200 and "<html" in page.text
    assert page.text.index("乙的变更") < page.text.index("甲的新变更") < page.text.index("甲的旧变更")  # newest first
    assert "停用账号" in page.text and "系统导入" in page.text and staff.name in page.text
    text = client.get(f"/admin/roster-changes?unit_id={a.id}", headers=HX).text
    assert "<html" not in text and "甲的新变更" in text and "乙的变更" not in text
    text = client.get("/admin/roster-changes?date_from=2026-11-02&date_to=2026-11-20", headers=HX).text
    assert "甲的新变更" in text and "甲的旧变更" not in text and "乙的变更" not in text
    text = client.get("/admin/roster-changes?date_from=2026-13-01", headers=HX).text
    assert "格式不正确" in text


def test_units_without_an_active_liaison(client, login_as):
    login_as(Role.CENTRE_STAFF)
    covered = UnitFactory(short_name="有人单位")
    UserFactory(role=Role.LIAISON, unit=covered)
    no_mobile = UnitFactory(short_name="无手机单位")
    UserFactory(role=Role.LIAISON, unit=no_mobile, mobile=None)
    gone = UnitFactory(short_name="人走了单位")
    UserFactory(role=Role.LIAISON, unit=gone, active=False)
    UserFactory(role=Role.UNIT_LEADER, unit=gone)  # a leader is not a liaison
    UnitFactory(short_name="停用单位", active=False)
    _event(gone, datetime(2018, 9, 2, 10), "停用联络员")
    text = client.get("/admin/units/without-liaison").text
    assert "无手机单位" in text and "人走了单位" in text
    assert "有人单位" not in text and "停用单位" not in text
    assert "2018-09-02 10:00" in text
    home = client.get("/")
    assert 'data-testid="liaison-warning"' in home.text and "2 个单位没有在岗联络员" in home.text


def test_home_counts_roster_changes_of_the_last_seven_days(client, login_as):
    login_as(Role.ADMIN)
    unit = UnitFactory()
    today = now().date()
    _event(unit, datetime.combine(today - timedelta(days=7), time(23, 59, 59)), "八天前")
    _event(unit, datetime.combine(today - timedelta(days=6), time(0, 0)), "六天前")
    _event(unit, datetime.combine(today, time()), "今天")
    assert "近 7 天单位人员变更 2 条" in client.get("/").text


def test_unit_users_do_not_see_the_warning(client, login_as):
    UnitFactory()
    login_as(Role.UNIT_LEADER)
    text = client.get("/").text
    assert 'data-testid="liaison-warning"' not in text and "人员变更记录" not in text
