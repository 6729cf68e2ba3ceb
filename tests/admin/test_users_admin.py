"""Admin users pages: list, create with a one-time password, edit, deactivate, reset password."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.admin import services
from portal.auth.models import User
from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.units.models import RosterEvent
from tests.factories import TEST_PASSWORD, UnitFactory, UserFactory

HX = {"HX-Request": "true"}


def _login(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def _user(username) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def test_list_page_fragment_search_and_filters(client, login_as):
    login_as(Role.ADMIN)
    unit = UnitFactory(short_name="市民政局")
    UserFactory(username="minzheng", name="赵六", mobile="13800001111", role=Role.LIAISON, unit=unit)
    UserFactory(username="huawu2", name="钱七", role=Role.OPERATOR, active=False)
    page = client.get("/admin/users")
    assert page.status_code == 200 and "<html" in page.text and 'id="user-filters"' in page.text
    assert "HX-Request" in page.headers["Vary"]
    for q in ("minzh", "赵六", "0000111"):
        frag = client.get(f"/admin/users?q={q}", headers=HX)
        assert "<html" not in frag.text
        assert "minzheng" in frag.text and "huawu2" not in frag.text, q
    assert "huawu2" in client.get("/admin/users?role=operator", headers=HX).text
    assert "minzheng" not in client.get("/admin/users?role=operator", headers=HX).text
    text = client.get(f"/admin/users?unit_id={unit.id}", headers=HX).text
    assert "minzheng" in text and "huawu2" not in text
    text = client.get("/admin/users?active=0", headers=HX).text
    assert "huawu2" in text and "minzheng" not in text


def test_paging(client, login_as, app):
    login_as(Role.ADMIN, username="a-admin")
    size = app.config["PAGE_SIZE"]
    unit = UnitFactory()
    for n in range(size + 1):
        UserFactory(username=f"pg{n:02d}", role=Role.LIAISON, unit=unit)
    first = client.get(f"/admin/users?unit_id={unit.id}", headers=HX).text
    assert f"共 {size + 1} 条" in first and "pg00" in first and f"pg{size:02d}" not in first
    second = client.get(f"/admin/users?unit_id={unit.id}&page=2", headers=HX).text
    assert f"pg{size:02d}" in second and "pg00" not in second


def test_create_unit_user_shows_the_password_once_and_must_change_it(client, login_as):
    admin = login_as(Role.ADMIN)
    unit = UnitFactory()
    resp = client.post("/admin/users/new", data={"username": "NewLiaison", "name": "孙八", "mobile": "13711112222",
                                                   "role": "liaison", "unit_id": str(unit.id)})
    assert resp.status_code == 200 and "临时密码只显示这一次" in resp.text
    password = resp.text.split('data-testid="temp-password">')[1].split("<")[0]
    user = _user("NewLiaison")
    assert user.must_change_password and user.unit_id == unit.id and user.check_password(password)
    event = db.session.scalars(select(RosterEvent)).one()
    assert (event.action, event.unit_id, event.actor_id, event.subject_user_id) == ("add_user", unit.id, admin.id, user.id)
    # The password is not kept anywhere the list could show it again.
    assert password not in client.get("/admin/users").text
    client.post("/logout")
    login = _login(client, "newliaison", password)
    assert login.headers["Location"] == "/password"


def test_centre_user_needs_no_unit_and_records_no_roster_event(client, login_as):
    login_as(Role.ADMIN)
    resp = client.post("/admin/users/new", headers=HX, data={"username": "staff2", "name": "周九", "role": "centre_staff"})
    assert resp.status_code == 200 and 'data-testid="temp-password"' in resp.text
    assert _user("staff2").unit_id is None
    assert db.session.scalars(select(RosterEvent)).all() == []


def test_create_user_validation(client, login_as):
    login_as(Role.ADMIN)
    unit = UnitFactory()
    UserFactory(username="taken")
    resp = client.post("/admin/users/new", headers=HX, data={"username": "TAKEN", "name": "", "mobile": "12345",
                                                              "role": "operator", "unit_id": str(unit.id)})
    assert resp.status_code == 422 and "<html" not in resp.text
    for message in ("该用户名已被使用", "请填写姓名", "手机号格式不正确", "话务员是中心账号，不能选择所属单位"):
        assert message in resp.text
    resp = client.post("/admin/users/new", headers=HX, data={"username": "a b", "name": "x", "role": "unit_leader"})
    for message in ("用户名为 3–50 位字母", "单位负责人必须选择所属单位", "单位负责人必须填写手机号"):
        assert message in resp.text
    resp = client.post("/admin/users/new", headers=HX, data={"username": "abc", "name": "x", "role": "boss",
                                                              "unit_id": "999"})
    assert "请选择角色" in resp.text and "请选择有效的单位" in resp.text
    assert db.session.scalars(select(User).where(User.username == "abc")).first() is None


def test_edit_user_moves_unit_and_records_transfer_on_both_units(client, login_as):
    login_as(Role.ADMIN)
    old, new = UnitFactory(short_name="旧单位"), UnitFactory(short_name="新单位")
    user = UserFactory(username="mover", name="吴十", role=Role.LIAISON, unit=old)
    version = user.session_version
    form = client.get(f"/admin/users/{user.id}/edit")
    assert form.status_code == 200 and 'value="mover"' in form.text
    resp = client.post(f"/admin/users/{user.id}/edit", headers=HX, data={
        "username": "mover", "name": "吴十", "mobile": user.mobile, "role": "liaison", "unit_id": str(new.id)})
    assert resp.status_code == 200 and "HX-Redirect" in resp.headers
    db.session.refresh(user)
    assert user.unit_id == new.id and user.session_version == version + 1
    events = {e.unit_id: e for e in db.session.scalars(select(RosterEvent))}
    assert events[old.id].action == "transfer_out" and "转至新单位" in events[old.id].detail
    assert events[new.id].action == "transfer_in" and "由旧单位调入" in events[new.id].detail


def test_edit_user_name_records_the_change(client, login_as):
    login_as(Role.ADMIN)
    user = UserFactory(username="renamed", name="旧名", mobile="13900000009", role=Role.LIAISON)
    client.post(f"/admin/users/{user.id}/edit", headers=HX, data={
        "username": "renamed", "name": "新名", "mobile": "13900000008", "role": "liaison", "unit_id": str(user.unit_id)})
    event = db.session.scalars(select(RosterEvent)).one()
    assert event.action == "update_user"
    assert event.detail == "修改 新名 的信息：姓名由“旧名”改为“新名”；手机号由“13900000009”改为“13900000008”"


def test_deactivate_ends_the_users_sessions(app, client, login_as):
    login_as(Role.ADMIN)
    target = UserFactory(username="leaving", role=Role.LIAISON)
    other = app.test_client()
    assert _login(other, "leaving", TEST_PASSWORD).status_code == 302
    assert other.get("/").status_code == 200
    resp = client.post(f"/admin/users/{target.id}/deactivate", headers=HX)
    assert resp.status_code == 200 and "已停用" in resp.text and "会话已全部失效" in resp.text
    assert other.get("/").status_code == 302  # back to the login page
    assert _login(other, "leaving", TEST_PASSWORD).status_code == 200  # cannot log in again
    assert db.session.scalars(select(RosterEvent)).one().action == "deactivate_user"
    resp = client.post(f"/admin/users/{target.id}/reactivate", headers=HX)
    assert resp.status_code == 200 and "已启用" in resp.text
    assert _login(other, "leaving", TEST_PASSWORD).status_code == 302


def test_deactivating_a_liaison_with_open_orders_warns(client, login_as):
    from tests.units.orders import make_order

    login_as(Role.ADMIN)
    liaison = UserFactory(role=Role.LIAISON)
    make_order(liaison.unit, liaison)
    resp = client.post(f"/admin/users/{liaison.id}/deactivate", headers=HX)
    assert resp.status_code == 200 and "仍是 1 件未办结工单的经办人" in resp.text


def test_admin_cannot_deactivate_themselves_nor_change_their_own_role(client, login_as):
    admin = login_as(Role.ADMIN)
    UserFactory(role=Role.ADMIN)
    resp = client.post(f"/admin/users/{admin.id}/deactivate", headers=HX)
    assert resp.status_code == 422 and "不能停用自己的账号" in resp.text
    # An administrator's role is shown but not editable here (the security administrator's, 三权分立): a
    # forged role is ignored.
    form = client.get(f"/admin/users/{admin.id}/edit").text
    assert '<select class="form-select" disabled id="role" name="role">' in form
    client.post(f"/admin/users/{admin.id}/edit", headers=HX, data={
        "username": admin.username, "name": admin.name, "role": "centre_staff"})
    db.session.refresh(admin)
    assert admin.active and admin.role == Role.ADMIN


def test_last_active_admin_is_protected(client, login_as):
    admin = login_as(Role.ADMIN)
    other = UserFactory(role=Role.ADMIN, username="other-admin")
    assert client.post(f"/admin/users/{other.id}/deactivate", headers=HX).status_code == 200
    # `admin` is now the only active admin: nobody may deactivate or demote it.
    with pytest.raises(RuleViolation, match="最后一个启用的系统管理员，不能停用"):
        services.deactivate_user(other, admin)
    # Administrator roles are not the system administrator's to change (三权分立): the security administrator's
    # page keeps the last holder of each (tests/security_pages).
    with pytest.raises(RuleViolation, match="由安全管理员"):
        services.update_user(other, admin, services.UserData(admin.username, admin.name, None, Role.CENTRE_STAFF, None))
    # Another admin's edit that keeps the role is fine.
    services.update_user(other, admin, services.UserData(admin.username, "改名", None, Role.ADMIN, None))
    assert admin.name == "改名"


def test_reset_password_shows_it_once_and_ends_sessions(app, client, login_as):
    login_as(Role.ADMIN)
    target = UserFactory(username="forgot", role=Role.LIAISON)
    other = app.test_client()
    _login(other, "forgot", TEST_PASSWORD)
    assert other.get("/").status_code == 200
    resp = client.post(f"/admin/users/{target.id}/reset-password", headers=HX)
    assert resp.status_code == 200
    password = resp.text.split('data-testid="temp-password">')[1].split("<")[0]
    assert len(password) >= 10
    assert other.get("/").status_code == 302
    db.session.refresh(target)
    assert target.must_change_password and target.check_password(password)
    assert not target.check_password(TEST_PASSWORD)
    assert db.session.scalars(select(RosterEvent)).one().action == "reset_password"
    assert _login(other, "forgot", password).headers["Location"] == "/password"


def test_admin_cannot_reset_own_password_here(client, login_as):
    admin = login_as(Role.ADMIN)
    resp = client.post(f"/admin/users/{admin.id}/reset-password", headers=HX)
    assert resp.status_code == 422 and "修改密码" in resp.text


def test_unknown_user_is_404(client, login_as):
    login_as(Role.ADMIN)
    for url in ("/admin/users/999/edit", "/admin/users/999/deactivate", "/admin/users/999/reset-password"):
        method = client.get if url.endswith("edit") else client.post
        assert method(url, headers=HX).status_code == 404


def test_a_handler_of_open_orders_cannot_be_moved_or_change_role(client, login_as):
    from tests.units.orders import make_order

    login_as(Role.ADMIN)
    unit, other = UnitFactory(), UnitFactory()
    liaison = UserFactory(role=Role.LIAISON, unit=unit)
    make_order(unit, liaison)
    for role, unit_id in (("liaison", other.id), ("unit_leader", unit.id)):
        resp = client.post(f"/admin/users/{liaison.id}/edit", headers=HX, data={
            "username": liaison.username, "name": liaison.name, "mobile": liaison.mobile, "role": role,
            "unit_id": str(unit_id)})
        assert resp.status_code == 422 and "仍是本单位 1 件未办结工单的经办人" in resp.text
    db.session.refresh(liaison)
    assert (liaison.unit_id, liaison.role) == (unit.id, Role.LIAISON)
    assert db.session.scalars(select(RosterEvent)).all() == []
