"""The unit leader's roster: add, deactivate, reactivate liaisons, hand orders over, edit the lead."""
from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.extensions import db
from portal.orders.enums import OrderState
from portal.orders.models import OrderEvent
from portal.units.models import RosterEvent
from tests.factories import TEST_PASSWORD, UnitFactory, UserFactory
from tests.units.orders import make_order

HX = {"HX-Request": "true"}


def _events(action=None) -> list[RosterEvent]:
    stmt = select(RosterEvent).order_by(RosterEvent.id)
    if action:
        stmt = stmt.where(RosterEvent.action == action)
    return list(db.session.scalars(stmt))


def test_roster_lists_only_the_leaders_unit(client, login_as):
    unit, other = UnitFactory(lead_name="牵头甲", lead_mobile="13900000001"), UnitFactory()
    leader = login_as(Role.UNIT_LEADER, unit=unit)
    mine = UserFactory(username="mine", role=Role.LIAISON, unit=unit)
    UserFactory(username="theirs", role=Role.LIAISON, unit=other)
    make_order(unit, mine)
    page = client.get("/unit/roster")
    assert page.status_code == 200 and "<html" in page.text
    assert "mine" in page.text and leader.username in page.text and "theirs" not in page.text
    assert "牵头甲（13900000001）" in page.text
    frag = client.get("/unit/roster", headers=HX)
    assert "<html" not in frag.text and 'data-testid="roster-table"' in frag.text


def test_roster_warns_when_the_unit_has_no_active_liaison(client, login_as):
    login_as(Role.UNIT_LEADER)
    assert "本单位目前没有在岗的联络员" in client.get("/unit/roster", headers=HX).text


def test_leader_adds_a_liaison_with_a_one_time_password(client, login_as):
    leader = login_as(Role.UNIT_LEADER)
    resp = client.post("/unit/roster/new", headers=HX,
                       data={"name": " 郑一 ", "username": "zhengyi", "mobile": "13622223333"})
    assert resp.status_code == 200 and "联络员已添加" in resp.text
    password = resp.text.split('data-testid="temp-password">')[1].split("<")[0]
    user = db.session.scalars(select(User).where(User.username == "zhengyi")).one()
    assert (user.name, user.role, user.unit_id, user.must_change_password) == ("郑一", Role.LIAISON, leader.unit_id, True)
    assert user.check_password(password)
    event = _events()[0]
    assert (event.action, event.actor_id, event.subject_user_id, event.unit_id) == ("add_user", leader.id, user.id, leader.unit_id)
    assert "郑一（13622223333）" in event.detail
    assert "zhengyi" in client.get("/unit/roster").text


def test_add_liaison_requires_name_username_and_mobile(client, login_as):
    login_as(Role.UNIT_LEADER)
    UserFactory(username="dup")
    resp = client.post("/unit/roster/new", headers=HX, data={"name": "", "username": "DUP", "mobile": ""})
    assert resp.status_code == 422
    for message in ("请填写姓名", "该用户名已被使用", "请填写手机号"):
        assert message in resp.text
    resp = client.post("/unit/roster/new", headers=HX, data={"name": "x", "username": "okname", "mobile": "1391234"})
    assert resp.status_code == 422 and "手机号格式不正确" in resp.text and 'value="1391234"' in resp.text


def test_deactivate_a_liaison_without_open_orders(app, client, login_as):
    leader = login_as(Role.UNIT_LEADER)
    liaison = UserFactory(username="quit", role=Role.LIAISON, unit=leader.unit)
    other = app.test_client()
    other.post("/login", data={"username": "quit", "password": TEST_PASSWORD})
    assert other.get("/").status_code == 200
    form = client.get(f"/unit/roster/{liaison.id}/deactivate")
    assert form.status_code == 200 and "停用联络员" in form.text
    resp = client.post(f"/unit/roster/{liaison.id}/deactivate", headers=HX, data={"to_user": ""})
    assert resp.status_code == 200 and resp.headers["HX-Redirect"] == "/unit/roster"
    db.session.refresh(liaison)
    assert liaison.active is False
    assert other.get("/").status_code == 302  # the liaison's session ended
    assert _events("deactivate_user")[0].subject_user_id == liaison.id
    resp = client.post(f"/unit/roster/{liaison.id}/reactivate", headers=HX)
    assert resp.status_code == 200 and "已启用联络员" in resp.text
    assert _events("reactivate_user")[0].actor_id == leader.id


def test_deactivating_a_liaison_with_open_orders_needs_a_successor_and_hands_them_over(client, login_as):
    leader = login_as(Role.UNIT_LEADER)
    leaving = UserFactory(name="离职者", role=Role.LIAISON, unit=leader.unit)
    successor = UserFactory(name="接手者", role=Role.LIAISON, unit=leader.unit)
    order = make_order(leader.unit, leaving)
    resp = client.post(f"/unit/roster/{leaving.id}/deactivate", headers=HX, data={"to_user": ""})
    assert resp.status_code == 422 and "仍是 1 件未办结工单的经办人，请选择接手的联络员" in resp.text
    db.session.refresh(leaving)
    assert leaving.active
    resp = client.post(f"/unit/roster/{leaving.id}/deactivate", headers=HX, data={"to_user": str(successor.id)})
    assert resp.status_code == 200
    db.session.refresh(order), db.session.refresh(leaving)
    assert order.handler_id == successor.id and not leaving.active
    assert [e.action for e in _events()] == ["handover", "deactivate_user"]


def test_handover_moves_only_open_orders_of_the_unit_and_records_an_event_on_each(client, login_as):
    leader = login_as(Role.UNIT_LEADER)
    other_unit = UnitFactory()
    src = UserFactory(name="小王", role=Role.LIAISON, unit=leader.unit)
    dst = UserFactory(name="小李", role=Role.LIAISON, unit=leader.unit)
    open1 = make_order(leader.unit, src)
    open2 = make_order(leader.unit, src, state=OrderState.REPLIED)
    closed = make_order(leader.unit, src, state=OrderState.CLOSED)
    merged = make_order(leader.unit, src, state=OrderState.MERGED)
    elsewhere = make_order(other_unit, src)  # returned and re-dispatched elsewhere: not this unit's
    form = client.get(f"/unit/roster/{src.id}/handover")
    assert form.status_code == 200 and "小李" in form.text and "目前是 2 件未办结工单的经办人" in form.text
    resp = client.post(f"/unit/roster/{src.id}/handover", headers=HX, data={"to_user": str(dst.id)})
    assert resp.status_code == 200 and resp.headers["HX-Redirect"] == "/unit/roster"
    for order, handler in ((open1, dst), (open2, dst), (closed, src), (merged, src), (elsewhere, src)):
        db.session.refresh(order)
        assert order.handler_id == handler.id, order.number
    events = list(db.session.scalars(select(OrderEvent).order_by(OrderEvent.order_id)))
    assert [e.order_id for e in events] == [open1.id, open2.id]
    assert {(e.action, e.text, e.actor_id) for e in events} == {("handover", "经办人由小王变更为小李", leader.id)}
    roster_event = _events("handover")[0]
    assert roster_event.subject_user_id == src.id
    assert roster_event.detail.startswith("将 小王 的 2 件未办结工单移交给 小李")
    assert open1.number in roster_event.detail


def test_handover_target_must_be_an_active_liaison_of_the_unit(client, login_as):
    leader = login_as(Role.UNIT_LEADER)
    src = UserFactory(role=Role.LIAISON, unit=leader.unit)
    inactive = UserFactory(role=Role.LIAISON, unit=leader.unit, active=False)
    foreign = UserFactory(role=Role.LIAISON)
    make_order(leader.unit, src)
    for target in (inactive, foreign, src, leader):
        resp = client.post(f"/unit/roster/{src.id}/handover", headers=HX, data={"to_user": str(target.id)})
        assert resp.status_code == 422 and "请选择本单位在岗的联络员" in resp.text
    assert _events() == []


def test_handover_without_open_orders_is_refused(client, login_as):
    leader = login_as(Role.UNIT_LEADER)
    src = UserFactory(role=Role.LIAISON, unit=leader.unit)
    dst = UserFactory(role=Role.LIAISON, unit=leader.unit)
    resp = client.post(f"/unit/roster/{src.id}/handover", headers=HX, data={"to_user": str(dst.id)})
    assert resp.status_code == 422 and "没有未办结的工单需要移交" in resp.text


def test_another_units_user_is_404_everywhere(client, login_as):
    login_as(Role.UNIT_LEADER)
    foreign = UserFactory(role=Role.LIAISON)
    assert client.get(f"/unit/roster/{foreign.id}/handover").status_code == 404
    assert client.get(f"/unit/roster/{foreign.id}/deactivate").status_code == 404
    assert client.post(f"/unit/roster/{foreign.id}/deactivate", headers=HX).status_code == 404
    assert client.post(f"/unit/roster/{foreign.id}/reactivate", headers=HX).status_code == 404
    db.session.refresh(foreign)
    assert foreign.active


def test_leader_cannot_deactivate_themselves_or_another_leader(client, login_as):
    leader = login_as(Role.UNIT_LEADER)
    co_leader = UserFactory(role=Role.UNIT_LEADER, unit=leader.unit)
    resp = client.post(f"/unit/roster/{leader.id}/deactivate", headers=HX, data={})
    assert resp.status_code == 422 and "只能管理本单位的联络员" in resp.text
    resp = client.post(f"/unit/roster/{co_leader.id}/deactivate", headers=HX, data={})
    assert resp.status_code == 422 and "只能管理本单位的联络员" in resp.text
    db.session.refresh(co_leader)
    assert co_leader.active


def test_leader_edits_the_unit_lead(client, login_as):
    leader = login_as(Role.UNIT_LEADER, unit=UnitFactory(lead_name="老张", lead_mobile=None))
    form = client.get("/unit/roster/lead")
    assert form.status_code == 200 and 'value="老张"' in form.text
    resp = client.post("/unit/roster/lead", headers=HX, data={"lead_name": "小陈", "lead_mobile": "13877776666"})
    assert resp.status_code == 200 and resp.headers["HX-Redirect"] == "/unit/roster"
    unit = leader.unit
    db.session.refresh(unit)
    assert (unit.lead_name, unit.lead_mobile) == ("小陈", "13877776666")
    assert _events("update_lead")[0].detail == "牵头负责人由 老张 变更为 小陈（13877776666）"
    resp = client.post("/unit/roster/lead", headers=HX, data={"lead_name": "", "lead_mobile": "123"})
    assert resp.status_code == 422 and "请填写牵头负责人姓名" in resp.text and "手机号格式不正确" in resp.text


def test_a_liaison_cannot_open_the_roster(client, login_as):
    login_as(Role.LIAISON)
    assert client.get("/unit/roster").status_code == 403


def test_leader_cannot_hand_over_another_leaders_open_orders(client, login_as):
    leader = login_as(Role.UNIT_LEADER)
    co_leader = UserFactory(role=Role.UNIT_LEADER, unit=leader.unit)
    dst = UserFactory(role=Role.LIAISON, unit=leader.unit)
    order = make_order(leader.unit, co_leader)
    resp = client.post(f"/unit/roster/{co_leader.id}/handover", headers=HX, data={"to_user": str(dst.id)})
    assert resp.status_code == 422 and "只能管理本单位的联络员" in resp.text
    db.session.refresh(order)
    assert order.handler_id == co_leader.id
    assert _events() == [] and db.session.scalars(select(OrderEvent).where(OrderEvent.action == "handover")).all() == []
