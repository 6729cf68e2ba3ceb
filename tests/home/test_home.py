"""Each role's home page is its to-do list: counts that link to the list behind them."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.auth.roles import Role
from portal.calls.models import Call, CallOutcome
from portal.extensions import db
from portal.notifications.models import Notification
from portal.orders.enums import OrderState, ReturnStage
from portal.orders.records import Supervision
from tests.factories import UserFactory
from tests.orders.factories import NOW, frozen, order_in, staffed_unit

S = OrderState


def _count(page: str, key: str) -> int:
    found = re.search(rf'data-testid="todo-{key}">\s*<span class="todo-count">(\d+)</span>', page)
    assert found, f"todo-{key} missing"
    return int(found.group(1))


def _ack_all():
    for record in db.session.scalars(select(Supervision)):
        record.acknowledged_at = NOW
    db.session.commit()


def test_staff_home_counts_what_waits_for_the_centre(client, login_as):
    unit, _leader, _liaison = staffed_unit()
    with frozen():
        order_in(S.PENDING)
        order_in(S.PENDING)
        order_in(S.RETURN_REQUESTED, unit)  # at the centre
        order_in(S.RETURN_REQUESTED, unit, stage=ReturnStage.LEADER)  # still at the unit's leader
        order_in(S.EXTENSION_REQUESTED, unit)
        order_in(S.REPLIED, unit)
        order_in(S.IN_PROGRESS, unit, handle_deadline=NOW - timedelta(hours=2))
        login_as(Role.CENTRE_STAFF)
        page = client.get("/").get_data(as_text=True)
    assert _count(page, "pending") == 2
    assert _count(page, "returns") == 1
    assert _count(page, "extensions") == 1
    assert _count(page, "replies") == 1
    assert _count(page, "overdue") == 1
    assert 'href="/orders/queues?tab=returns"' in page


def test_leader_home_shows_returns_awaiting_approval(client, login_as):
    unit, leader, _liaison = staffed_unit()
    other, _l, _li = staffed_unit()
    with frozen():
        order_in(S.RETURN_REQUESTED, unit, stage=ReturnStage.LEADER)
        order_in(S.RETURN_REQUESTED, other, stage=ReturnStage.LEADER)
        order_in(S.RETURN_REQUESTED, unit)  # already at the centre: not the leader's to do
        with client.session_transaction() as sess:
            sess["_user_id"] = leader.get_id()
        page = client.get("/").get_data(as_text=True)
        listed = client.get("/orders/mine?tab=leader_returns").get_data(as_text=True)
    assert _count(page, "leader_returns") == 1
    assert 'href="/orders/mine?tab=leader_returns"' in page
    assert listed.count('data-testid="order-row"') == 1


def test_liaison_home_lists_sign_due_overdue_and_supervision(client, login_as):
    unit, _leader, liaison = staffed_unit()
    with frozen():
        order_in(S.DISPATCHED, unit)
        order_in(S.IN_PROGRESS, unit, handle_deadline=NOW + timedelta(hours=5))
        order_in(S.IN_PROGRESS, unit, handle_deadline=NOW - timedelta(days=1))
        order_in(S.IN_PROGRESS, staffed_unit()[0], handle_deadline=NOW - timedelta(days=1))  # another unit
        _ack_all()
        order = order_in(S.IN_PROGRESS, unit)  # with an open 督办
        with client.session_transaction() as sess:
            sess["_user_id"] = liaison.get_id()
        page = client.get("/").get_data(as_text=True)
    assert (_count(page, "to_sign"), _count(page, "due_soon"), _count(page, "overdue"), _count(page, "supervised")) \
        == (1, 1, 1, 1)
    assert "leader_returns" not in page
    assert order.number


def test_operator_home_shows_todays_calls_and_resumable_order_drafts(client, login_as):
    with frozen():
        operator = login_as(Role.OPERATOR)
        someone = UserFactory(role=Role.OPERATOR)
        db.session.add_all([
            Call(received_at=NOW - timedelta(hours=1), mobile="13800000001", summary="咨询社保", outcome=CallOutcome.DIRECT,
                 operator_id=operator.id),
            Call(received_at=NOW - timedelta(minutes=30), mobile="13800000002", summary="路灯不亮了", outcome=None,
                 operator_id=operator.id),
            Call(received_at=NOW - timedelta(days=3), mobile="13800000003", summary="噪音扰民很久了", outcome=None,
                 operator_id=operator.id),
            Call(received_at=NOW, mobile="13800000004", summary="别人的来电", outcome=None, operator_id=someone.id),
        ])
        db.session.commit()
        page = client.get("/").get_data(as_text=True)
    assert _count(page, "calls-today") == 2
    assert _count(page, "waiting") == 2
    assert page.count('data-testid="waiting-call"') == 2
    assert "噪音扰民很久了" in page and "别人的来电" not in page
    draft = db.session.scalars(select(Call).where(Call.mobile == "13800000003")).one()
    assert f'href="/orders/new?call_id={draft.id}"' in page


def test_admin_home_has_no_empty_panels_but_the_calendar_warning(client, login_as):
    with frozen(datetime(2026, 12, 1, 10, 0)):
        login_as(Role.ADMIN)
        page = client.get("/").get_data(as_text=True)
    assert 'data-testid="home-todo"' in page and 'data-testid="calendar-warning"' in page


def test_staff_are_told_when_a_return_extension_or_reply_waits(client, login_as):
    from portal.orders import handling

    unit, leader, liaison = staffed_unit()
    staff = UserFactory(role=Role.CENTRE_STAFF)
    inactive = UserFactory(role=Role.CENTRE_STAFF, active=False)
    with frozen():
        a = order_in(S.IN_PROGRESS, unit)
        b = order_in(S.IN_PROGRESS, unit)
        c = order_in(S.IN_PROGRESS, unit)
        handling.request_return(a, liaison, "不属本单位职责", "三定方案")  # goes to the leader first
        assert db.session.scalars(select(Notification).where(Notification.user_id == staff.id)).all() == []
        handling.leader_decide_return(a, leader, True, "同意")
        handling.request_extension(b, liaison, "需现场勘查", 3)
        handling.submit_reply(c, liaison, result="已处理", contact_way="电话", contacted_at=NOW, resolved=True)
        db.session.commit()
    texts = [n.text for n in db.session.scalars(select(Notification).where(Notification.user_id == staff.id))]
    assert len(texts) == 3
    assert any(a.number in t and "退单" in t for t in texts)
    assert any(b.number in t and "延期" in t for t in texts)
    assert any(c.number in t and "回复" in t for t in texts)
    assert db.session.scalars(select(Notification).where(Notification.user_id == inactive.id)).all() == []
