"""The lifecycle through the services, on the working-day calendar, with time frozen."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from portal.auth.roles import Role
from portal.calls.models import Call, CallOutcome
from portal.errors import RuleViolation
from portal.extensions import db
from portal.notifications.models import Notification
from portal.orders import handling, services
from portal.orders.enums import CallbackResult, OrderKind, OrderState, RequestStatus, ReturnStage
from portal.orders.models import OrderEvent
from tests.factories import UnitFactory, UserFactory
from tests.orders.factories import NOW, frozen, order_in, staffed_unit

S = OrderState


@pytest.fixture
def staff():
    return UserFactory(role=Role.CENTRE_STAFF, unit=None)


def _new_order(staff, **kwargs):
    values = dict(kind=OrderKind.CONSULT, content="小区路灯不亮已经一周，晚上出行不便。", caller_mobile="13812341234")
    values.update(kwargs)
    return services.create_order(staff, **values)


def _notified(user, kind):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                         Notification.kind == kind)).all()


def test_create_and_dispatch_start_the_clocks_on_working_days(staff):
    unit, leader, liaison = staffed_unit()
    with frozen():  # Tuesday 2026-11-24 10:00
        order = _new_order(staff)
        assert order.state == S.PENDING and order.number.startswith("20261124")
        services.dispatch(order, staff, unit)
    assert order.state == S.DISPATCHED
    assert (order.unit_id, order.last_unit_id, order.dispatched_at) == (unit.id, unit.id, NOW)
    assert order.sign_deadline == datetime(2026, 11, 25, 23, 59, 59)  # end of the 1st working day after
    assert order.handle_deadline == datetime(2026, 11, 27, 23, 59, 59)  # 咨询: 3 working days
    assert [e.action for e in order.events] == ["create", "dispatch"]
    assert len(_notified(liaison, "new_order")) == 1 and len(_notified(leader, "new_order")) == 1


def test_urgent_order_runs_on_the_clock(staff):
    unit, _l, _li = staffed_unit()
    with frozen():
        order = _new_order(staff, urgent=True)
        services.dispatch(order, staff, unit)
    assert order.sign_deadline == datetime(2026, 11, 24, 10, 30)
    assert order.handle_deadline == datetime(2026, 11, 25, 10, 0)


def test_sign_extension_reply_accept(staff):
    unit, _leader, liaison = staffed_unit()
    with frozen():
        order = _new_order(staff)
        services.dispatch(order, staff, unit)
    with frozen(datetime(2026, 11, 24, 11, 0)):
        handling.sign(order, liaison)
        assert (order.state, order.handler_id) == (S.IN_PROGRESS, liaison.id)
        handling.request_extension(order, liaison, "需要协调供电公司", 5)
        assert order.state == S.EXTENSION_REQUESTED
    with frozen(datetime(2026, 11, 25, 9, 0)):
        handling.decide_extension(order, staff, True, "同意")
    assert order.state == S.IN_PROGRESS and order.extension_count == 1
    # 5 working days after Friday 11-27: Mon 11-30 … Fri 12-04.
    assert order.handle_deadline == datetime(2026, 12, 4, 23, 59, 59)
    assert len(_notified(liaison, "extension_decision")) == 1
    with frozen(datetime(2026, 11, 26, 15, 0)):
        handling.submit_reply(order, liaison, result="已协调供电公司修复路灯。", contact_way="电话",
                              contacted_at=datetime(2026, 11, 26, 14, 0), resolved=True)
    assert order.state == S.REPLIED
    with frozen(datetime(2026, 11, 27, 9, 0)):
        handling.review_reply(order, staff, True, "")
    assert order.state == S.CLOSED
    assert order.completed_at == datetime(2026, 11, 26, 15, 0)  # when the reply was submitted
    assert order.closed_at == datetime(2026, 11, 27, 9, 0)


def test_extension_rules(staff):
    unit, _leader, liaison = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        with pytest.raises(RuleViolation, match="1至10"):
            handling.request_extension(order, liaison, "理由", 11)
        for _ in range(2):
            handling.request_extension(order, liaison, "理由", 1)
            handling.decide_extension(order, staff, True, "")
        with pytest.raises(RuleViolation, match="最多延期2次"):
            handling.request_extension(order, liaison, "理由", 1)
    late = order_in(S.IN_PROGRESS, unit)
    with frozen(datetime(2026, 11, 28, 0, 0)), pytest.raises(RuleViolation, match="已超过办理时限"):
        handling.request_extension(late, liaison, "理由", 1)


def test_rejected_extension_keeps_the_deadline_and_a_reply_withdraws_a_pending_one(staff):
    unit, _leader, liaison = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        before = order.handle_deadline
        handling.request_extension(order, liaison, "理由", 3)
        handling.decide_extension(order, staff, False, "理由不充分")
        assert (order.state, order.handle_deadline, order.extension_count) == (S.IN_PROGRESS, before, 0)
        request = handling.request_extension(order, liaison, "理由", 3)
        handling.submit_reply(order, liaison, result="已办理完毕。", contact_way="电话", contacted_at=NOW,
                              resolved=False, unresolved_reason="群众诉求超出政策范围")
    assert order.state == S.REPLIED and request.status == RequestStatus.WITHDRAWN


def test_return_goes_liaison_leader_centre_then_redispatch(staff):
    unit, leader, liaison = staffed_unit()
    other, _ol, other_liaison = staffed_unit()
    with frozen():
        order = _new_order(staff)
        services.dispatch(order, staff, unit)
        request = handling.request_return(order, liaison, "属于供电公司职责", "《三定方案》第三条")
        assert (order.state, request.stage) == (S.RETURN_REQUESTED, ReturnStage.LEADER)
        assert len(_notified(leader, "return_leader")) == 1
        handling.leader_decide_return(order, leader, True, "同意退回")
        assert request.stage == ReturnStage.CENTRE
        handling.centre_decide_return(order, staff, True, "同意，改派")
    assert order.state == S.PENDING and order.unit_id is None
    assert order.last_unit_id == unit.id and order.return_count == 1
    assert request.status == RequestStatus.APPROVED
    assert len(_notified(liaison, "return_decision")) == 1
    with frozen(datetime(2026, 11, 25, 9, 0)):
        services.dispatch(order, staff, other)
    assert (order.unit_id, order.last_unit_id) == (other.id, other.id)
    assert order.handle_deadline == datetime(2026, 11, 30, 23, 59, 59)  # new clock from Wednesday
    actions = [e.action for e in order.events]
    assert actions == ["create", "dispatch", "request_return", "leader_approve_return", "approve_return", "dispatch"]
    assert len(_notified(other_liaison, "new_order")) == 1


def test_leader_rejects_and_centre_rejects_keep_the_order_and_its_deadline(staff):
    unit, leader, liaison = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        deadline = order.handle_deadline
        handling.request_return(order, liaison, "理由", "依据")
        handling.leader_decide_return(order, leader, False, "属于本单位职责")
        assert (order.state, order.unit_id) == (S.IN_PROGRESS, unit.id)
        # The leader's own request skips the leader stage.
        request = handling.request_return(order, leader, "理由", "依据")
        assert request.stage == ReturnStage.CENTRE
        handling.centre_decide_return(order, staff, False, "属于你单位职责")
    assert (order.state, order.unit_id, order.handle_deadline) == (S.IN_PROGRESS, unit.id, deadline)


def test_unit_without_leader_goes_straight_to_the_centre():
    unit = UnitFactory()
    liaison = UserFactory(role=Role.LIAISON, unit=unit)
    UserFactory(role=Role.UNIT_LEADER, unit=unit, active=False)
    with frozen():
        order = order_in(S.DISPATCHED, unit)
        request = handling.request_return(order, liaison, "理由", "依据")
    assert request.stage == ReturnStage.CENTRE


def test_return_only_within_two_working_days_of_dispatch():
    unit, _leader, liaison = staffed_unit()
    # Dispatched Friday 2026-11-27 10:00: the window ends Tuesday 12-01 23:59:59 (weekend excluded).
    friday = datetime(2026, 11, 27, 10, 0)
    with frozen(datetime(2026, 12, 1, 23, 59, 59)):
        order = order_in(S.IN_PROGRESS, unit, dispatched_at=friday, handle_deadline=datetime(2026, 12, 2, 23, 59, 59))
        handling.request_return(order, liaison, "理由", "依据")
    late = order_in(S.IN_PROGRESS, unit, dispatched_at=friday, handle_deadline=datetime(2026, 12, 2, 23, 59, 59))
    with frozen(datetime(2026, 12, 2, 0, 0, 0)), pytest.raises(RuleViolation, match="2个工作日"):
        handling.request_return(late, liaison, "理由", "依据")


def test_after_three_returns_the_centre_designates(staff):
    units = [staffed_unit() for _ in range(4)]
    with frozen():
        order = _new_order(staff)
        for unit, leader, _liaison in units[:3]:
            services.dispatch(order, staff, unit)
            handling.request_return(order, leader, "理由", "依据")
            handling.centre_decide_return(order, staff, True, "同意")
        assert order.return_count == 3
        services.dispatch(order, staff, units[3][0])
        assert order.designated
        assert "指定" in order.events[-1].text
        with pytest.raises(RuleViolation, match="指定"):
            handling.request_return(order, units[3][2], "理由", "依据")


def test_rejected_reply_reopens_with_a_new_deadline(staff):
    unit, _leader, liaison = staffed_unit()
    with frozen(datetime(2026, 11, 26, 10, 0)):  # Thursday
        order = order_in(S.REPLIED, unit)
        handling.review_reply(order, staff, False, "未联系群众")
    assert order.state == S.IN_PROGRESS and order.reopen_count == 1
    assert order.handle_deadline == datetime(2026, 12, 1, 23, 59, 59)  # 3 working days after Thursday
    assert order.completed_at is None
    assert len(_notified(liaison, "reply_decision")) == 1


def test_unsatisfied_callback_may_reopen(staff):
    unit, _leader, liaison = staffed_unit()
    with frozen():
        order = order_in(S.CLOSED, unit, completed_at=NOW, closed_at=NOW)
        services.record_callback(order, staff, CallbackResult.UNSATISFIED, "群众称问题仍未解决", reopen_order=True)
    assert order.state == S.IN_PROGRESS and order.completed_at is None and order.unit_id == unit.id
    assert [e.action for e in order.events][-2:] == ["callback", "reopen"]
    with frozen():
        closed = order_in(S.CLOSED, unit)
        with pytest.raises(RuleViolation):
            services.record_callback(closed, staff, CallbackResult.SATISFIED, "", reopen_order=True)


def test_merge_into_an_earlier_order_only(staff):
    with frozen():
        earlier = _new_order(staff, content="噪音扰民，夜间施工到凌晨")
        later = _new_order(staff, content="噪音扰民，夜间施工到凌晨两点")
        with pytest.raises(RuleViolation, match="更早"):
            services.merge(earlier, staff, later, "重复件")
        services.merge(later, staff, earlier, "同一来电人重复反映")
    assert later.state == S.MERGED and later.merged_into_id == earlier.id
    assert earlier.events[-1].action == "merged_from"


def test_no_merge_into_a_closed_order(staff):
    unit, _leader, _liaison = staffed_unit()
    with frozen():
        closed = order_in(S.CLOSED, unit, accepted_at=datetime(2026, 11, 20, 9, 0))
        later = _new_order(staff, content="噪音扰民，夜间施工到凌晨两点")
        version = later.version
        with pytest.raises(RuleViolation, match="已办结，不能并入"):
            services.merge(later, staff, closed, "重复件")
    assert (later.state, later.merged_into_id, later.version) == (S.PENDING, None, version)


def test_supervise_and_acknowledge(staff):
    unit, _leader, liaison = staffed_unit()
    with frozen():
        order = order_in(S.DISPATCHED, unit)
        handling_before = len(order.events)
        services.acknowledge(order, liaison)  # the factory's open supervise message
        services.supervise(order, staff, "请今日内签收")
    assert len(_notified(liaison, "supervise")) == 1
    with frozen():
        records = services.acknowledge(order, liaison)
    assert [r.text for r in records] == ["请今日内签收"] and records[0].acknowledged_by_id == liaison.id
    assert len(order.events) == handling_before + 3


def test_create_from_a_call_links_the_call(staff):
    call = Call(received_at=datetime(2026, 11, 24, 9, 30), mobile="13912345678", summary="路灯不亮")
    db.session.add(call)
    db.session.commit()
    with frozen():
        order = _new_order(staff, call=call)
    assert (call.outcome, call.order_id) == (CallOutcome.ORDER, order.id)
    assert order.accepted_at == call.received_at


def test_reveal_is_audited_and_confidential_orders_refuse(staff):
    unit, _leader, liaison = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        assert services.reveal_mobile(order, liaison) == "13812341234"
        secret = order_in(S.IN_PROGRESS, unit, confidential=True)
        with pytest.raises(RuleViolation, match="保密"):
            services.reveal_mobile(secret, liaison)
    reveal = db.session.scalars(select(OrderEvent).where(OrderEvent.action == "reveal_mobile")).one()
    assert (reveal.order_id, reveal.actor_id, reveal.actor_unit_id) == (order.id, liaison.id, unit.id)


def test_order_numbers_run_per_day(staff):
    with frozen():
        numbers = [_new_order(staff).number for _ in range(3)]
    assert numbers == ["2026112401", "2026112402", "2026112403"]
