"""三权分立: the security administrator's pages, and an auditor who can change nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.admin import services as admin_services
from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from tests.factories import TEST_PASSWORD, UnitFactory, UserFactory

HX = {"HX-Request": "true"}


def _events(name):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == name).order_by(AuditEvent.id)))


def test_duties_are_handed_to_different_people_and_the_change_is_audited(client, login_as):
    me = login_as(Role.SECURITY_ADMIN)
    solo = UserFactory(username="solo", role=Role.ADMIN, unit=None)
    staff = UserFactory(username="clerk", role=Role.CENTRE_STAFF, unit=None)
    version = staff.session_version
    resp = client.post(f"/admin/security/{staff.id}/roles", headers=HX, data={"roles": ["auditor"]})
    assert resp.status_code == 200 and resp.headers["HX-Redirect"].startswith("/admin/security/")
    db.session.refresh(staff)
    assert staff.roles == {Role.AUDITOR} and staff.session_version > version
    resp = client.post(f"/admin/security/{solo.id}/roles", headers=HX, data={"roles": ["admin", "security_admin"]})
    db.session.expire_all()
    assert solo.roles == {Role.ADMIN, Role.SECURITY_ADMIN}
    (first, second) = _events("security.roles")
    assert "clerk 角色由“中心工作人员”改为“审计管理员”" in first.detail and first.user_id == me.id
    assert "“系统管理员、安全管理员”" in second.detail


def test_the_last_holder_of_a_duty_keeps_it_and_unit_people_get_none(client, login_as):
    me = login_as(Role.SECURITY_ADMIN)
    auditor = UserFactory(role=Role.AUDITOR, unit=None)
    resp = client.post(f"/admin/security/{auditor.id}/roles", headers=HX, data={})
    assert resp.status_code == 422 and "最后一个启用的审计管理员" in resp.text
    resp = client.post(f"/admin/security/{me.id}/roles", headers=HX, data={"roles": ["auditor"]})
    assert resp.status_code == 422 and "最后一个启用的安全管理员" in resp.text
    liaison = UserFactory(role=Role.LIAISON)
    resp = client.post(f"/admin/security/{liaison.id}/roles", headers=HX, data={"roles": ["admin"]})
    assert resp.status_code == 422 and "只有中心账号" in resp.text
    db.session.expire_all()
    assert (auditor.roles, me.roles, liaison.roles) == ({Role.AUDITOR}, {Role.SECURITY_ADMIN}, {Role.LIAISON})
    assert _events("security.roles") == []


def test_the_system_administrator_gives_no_administrator_role():
    admin = UserFactory(role=Role.ADMIN, unit=None)
    data = admin_services.UserData("newsec", "新人", None, Role.SECURITY_ADMIN, None)
    with pytest.raises(RuleViolation, match="由安全管理员"):
        admin_services.create_user(admin, data)
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    with pytest.raises(RuleViolation, match="由安全管理员"):
        admin_services.update_user(admin, staff, admin_services.UserData(staff.username, staff.name, None, Role.AUDITOR, None))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.role == Role.SECURITY_ADMIN)) == 0


def test_reset_second_factor_is_audited_and_ends_the_users_sessions(app, client, login_as):
    me = login_as(Role.SECURITY_ADMIN)
    own = client.post(f"/admin/security/{me.id}/reset-second-factor", headers=HX)
    assert own.status_code == 422 and "不能在此重置自己的两步验证" in own.text
    lost = UserFactory(username="lostphone", role=Role.CENTRE_STAFF, unit=None)
    theirs = app.test_client()
    with theirs.session_transaction() as sess:
        sess["_user_id"] = lost.get_id()
    assert theirs.get("/").status_code == 200
    resp = client.post(f"/admin/security/{lost.id}/reset-second-factor", headers=HX)
    assert resp.status_code == 200 and "已重置" in resp.text
    db.session.refresh(lost)
    assert lost.totp_secret is None
    assert theirs.get("/").status_code == 302
    (event,) = _events("second_factor.reset")
    assert event.object_id == str(lost.id) and "lostphone" in event.detail
    # Next login: enrol again.
    login = theirs.post("/login", data={"username": "lostphone", "password": TEST_PASSWORD})
    assert login.location == "/login/second-factor" and "绑定并登录" in theirs.get(login.location).text


def test_unlock_ends_a_lockout_before_its_time(app, client, login_as):
    login_as(Role.SECURITY_ADMIN)
    locked = UserFactory(username="locked1", role=Role.LIAISON)
    other = app.test_client()
    for _ in range(5):
        other.post("/login", data={"username": "locked1", "password": "wrong-password-1"})
    assert "已被锁定" in other.post("/login", data={"username": "locked1", "password": TEST_PASSWORD}).text
    listing = client.get("/admin/security/", query_string={"q": "locked1"})
    assert "登录锁定至" in listing.text
    resp = client.post(f"/admin/security/{locked.id}/unlock", headers=HX)
    assert resp.status_code == 200 and "已解除" in resp.text
    assert other.post("/login", data={"username": "locked1", "password": TEST_PASSWORD}).status_code == 302
    assert _events("login.unlocked")
    again = client.post(f"/admin/security/{locked.id}/unlock", headers=HX)
    assert again.status_code == 422 and "未被锁定" in again.text


def test_the_policy_sets_who_else_uses_a_second_factor(client, login_as):
    login_as(Role.SECURITY_ADMIN)
    unit, other = UnitFactory(), UnitFactory()
    page = client.get("/admin/security/policy")
    assert page.status_code == 200 and "密码策略" in page.text and unit.short_name in page.text
    resp = client.post("/admin/security/policy", headers=HX, data={"units": [str(unit.id)]})
    assert resp.status_code == 200
    db.session.expire_all()
    assert unit.second_factor_required and not other.second_factor_required
    resp = client.post("/admin/security/policy", headers=HX, data={"for_all": "y", "units": ["999999"]})
    assert resp.status_code == 422
    db.session.expire_all()
    assert unit.second_factor_required
    (event,) = _events("security.policy")
    assert f"{unit.short_name}须两步验证" in event.detail


# What any logged-in user may do for their own account (log out, own password, own second factor, marking
# their own notifications read).
OWN_ACCOUNT = {"auth.logout", "auth.change_password", "auth.two_factor", "auth.login", "auth.second_factor",
               "notifications.read_all"}


def _table_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables
            if t.name != "audit_event"}


def test_an_auditors_session_changes_nothing(app, client, login_as):
    login_as(Role.AUDITOR)
    UserFactory(role=Role.LIAISON)
    before = _table_counts()
    answered = {}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in OWN_ACCOUNT:
            continue
        args = {name: 1 for name in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **args)
        answered[rule.endpoint] = client.post(url, headers=HX, data={"name": "x"}).status_code
    assert answered, "no POST endpoint was tried"
    assert {e: s for e, s in answered.items() if s not in (403, 404)} == {}
    assert _table_counts() == before
