"""The lifecycle table, cell by cell, against an expectation written out here (not read from TABLE).

Every state × action × role (and the system, for imports and recomputes): the allowed cells move the order
to the state stated below and record one event; every other combination is refused and leaves the order's
state, its lifecycle columns and its events as they were.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.enums import OrderKind, OrderState, ReturnStage
from portal.orders.models import OrderEvent, WorkOrder
from portal.orders.transitions import (
    ACTION_ROLES, LIFECYCLE_COLUMNS, TABLE, TASK_ACTIONS, ActionForbidden, allowed_actions, transition,
)
from tests.factories import UserFactory
from tests.orders.factories import NOW, OrderFactory, frozen, order_in, staffed_unit

S = OrderState
A, C, O, L, LI = Role.ADMIN, Role.CENTRE_STAFF, Role.OPERATOR, Role.UNIT_LEADER, Role.LIAISON
SYSTEM = "system"  # the actor None: an import or a recompute from the command line
CENTRE = {A, C}
UNIT = {L, LI}

# (state, action) -> (state after, who may). Written by hand from DOMAIN.md §3 and docs/decisions.md.
# In 退单审核中 the order was signed (order_in signs it), so a refused return resumes 办理中.
EXPECTED = {
    (None, "create"): (S.PENDING, CENTRE | {O}),
    (None, "import"): (S.PENDING, CENTRE | {SYSTEM}),
    (S.PENDING, "dispatch"): (S.DISPATCHED, CENTRE | {SYSTEM}),
    (S.PENDING, "merge"): (S.MERGED, CENTRE),
    (S.PENDING, "deadline_recomputed"): (S.PENDING, {A, SYSTEM}),
    (S.DISPATCHED, "sign"): (S.IN_PROGRESS, UNIT),
    (S.DISPATCHED, "close_imported"): (S.CLOSED, CENTRE | {SYSTEM}),
    (S.DISPATCHED, "request_return"): (S.RETURN_REQUESTED, UNIT),
    (S.DISPATCHED, "supervise"): (S.DISPATCHED, CENTRE),
    (S.DISPATCHED, "acknowledge"): (S.DISPATCHED, UNIT),
    (S.DISPATCHED, "handover"): (S.DISPATCHED, {L}),
    (S.DISPATCHED, "deadline_recomputed"): (S.DISPATCHED, {A, SYSTEM}),
    (S.IN_PROGRESS, "request_return"): (S.RETURN_REQUESTED, UNIT),
    (S.IN_PROGRESS, "request_extension"): (S.EXTENSION_REQUESTED, UNIT),
    (S.IN_PROGRESS, "reply"): (S.REPLIED, UNIT),
    (S.IN_PROGRESS, "supervise"): (S.IN_PROGRESS, CENTRE),
    (S.IN_PROGRESS, "acknowledge"): (S.IN_PROGRESS, UNIT),
    (S.IN_PROGRESS, "handover"): (S.IN_PROGRESS, {L}),
    (S.IN_PROGRESS, "deadline_recomputed"): (S.IN_PROGRESS, {A, SYSTEM}),
    (S.RETURN_REQUESTED, "leader_approve_return"): (S.RETURN_REQUESTED, {L}),
    (S.RETURN_REQUESTED, "leader_reject_return"): (S.IN_PROGRESS, {L}),
    (S.RETURN_REQUESTED, "approve_return"): (S.PENDING, CENTRE),
    (S.RETURN_REQUESTED, "reject_return"): (S.IN_PROGRESS, CENTRE),
    (S.RETURN_REQUESTED, "supervise"): (S.RETURN_REQUESTED, CENTRE),
    (S.RETURN_REQUESTED, "acknowledge"): (S.RETURN_REQUESTED, UNIT),
    (S.RETURN_REQUESTED, "handover"): (S.RETURN_REQUESTED, {L}),
    (S.RETURN_REQUESTED, "deadline_recomputed"): (S.RETURN_REQUESTED, {A, SYSTEM}),
    (S.EXTENSION_REQUESTED, "approve_extension"): (S.IN_PROGRESS, CENTRE),
    (S.EXTENSION_REQUESTED, "reject_extension"): (S.IN_PROGRESS, CENTRE),
    (S.EXTENSION_REQUESTED, "reply"): (S.REPLIED, UNIT),
    (S.EXTENSION_REQUESTED, "supervise"): (S.EXTENSION_REQUESTED, CENTRE),
    (S.EXTENSION_REQUESTED, "acknowledge"): (S.EXTENSION_REQUESTED, UNIT),
    (S.EXTENSION_REQUESTED, "handover"): (S.EXTENSION_REQUESTED, {L}),
    (S.EXTENSION_REQUESTED, "deadline_recomputed"): (S.EXTENSION_REQUESTED, {A, SYSTEM}),
    (S.REPLIED, "accept_reply"): (S.CLOSED, CENTRE),
    (S.REPLIED, "reject_reply"): (S.IN_PROGRESS, CENTRE),
    (S.REPLIED, "acknowledge"): (S.REPLIED, UNIT),
    (S.REPLIED, "handover"): (S.REPLIED, {L}),
    (S.REPLIED, "deadline_recomputed"): (S.REPLIED, {A, SYSTEM}),
    (S.CLOSED, "callback"): (S.CLOSED, CENTRE),
    (S.CLOSED, "reopen"): (S.IN_PROGRESS, CENTRE),
    (S.CLOSED, "acknowledge"): (S.CLOSED, UNIT),
    # Reply sign-off (issue 13): a liaison's reply waits for the leader in the order's state.
    (S.IN_PROGRESS, "submit_reply_for_signoff"): (S.IN_PROGRESS, {LI}),
    (S.EXTENSION_REQUESTED, "submit_reply_for_signoff"): (S.EXTENSION_REQUESTED, {LI}),
    (S.IN_PROGRESS, "leader_approve_reply"): (S.REPLIED, {L}),
    (S.EXTENSION_REQUESTED, "leader_approve_reply"): (S.REPLIED, {L}),
    (S.IN_PROGRESS, "leader_reject_reply"): (S.IN_PROGRESS, {L}),
    (S.EXTENSION_REQUESTED, "leader_reject_reply"): (S.EXTENSION_REQUESTED, {L}),
    # Graded chasing (issue 13): 督办单, then 列入通报, while the unit works the order.
    **{(s, "issue_notice"): (s, CENTRE)
       for s in (S.DISPATCHED, S.IN_PROGRESS, S.RETURN_REQUESTED, S.EXTENSION_REQUESTED)},
    **{(s, "list_in_circular"): (s, CENTRE)
       for s in (S.DISPATCHED, S.IN_PROGRESS, S.RETURN_REQUESTED, S.EXTENSION_REQUESTED)},
}
STATES = [None, *OrderState]
# The task actions have their own table (tests/orders/test_tasks.py).
ACTIONS = sorted({action for _state, action in EXPECTED} | (set(ACTION_ROLES) - TASK_ACTIONS))
LEADER_STAGE_ACTIONS = {"leader_approve_return", "leader_reject_return"}
USER_FACING = set(ACTIONS) - {"import", "close_imported", "handover", "deadline_recomputed"}


def test_the_table_has_exactly_the_expected_cells():
    assert set(TABLE) == set(EXPECTED)
    assert set(ACTION_ROLES) == set(ACTIONS) | TASK_ACTIONS


def _prepare(action, order, unit, liaison):
    """What the sign-off and chasing cells need besides the state: the unit's setting, a reply waiting for
    the leader, an earlier 督办单."""
    from portal.orders.notices import SupervisionNotice
    from portal.orders.records import Reply

    if action in ("submit_reply_for_signoff", "reply"):
        unit.reply_signoff = "all" if action == "submit_reply_for_signoff" else "none"
    if action in ("leader_approve_reply", "leader_reject_reply") and order.state in (S.IN_PROGRESS,
                                                                                       S.EXTENSION_REQUESTED):
        db.session.add(Reply(order_id=order.id, unit_id=unit.id, result="已处理。", contact_way="电话",
                             submitted_by_id=liaison.id, stage=ReturnStage.LEADER))
    if action == "list_in_circular" and order.unit_id is not None:
        db.session.add(SupervisionNotice(order_id=order.id, unit_id=unit.id, year=2026, seq=order.id, text="限期办结"))
    db.session.flush()


def _snapshot(order):
    return {c: getattr(order, c) for c in ("state", *LIFECYCLE_COLUMNS)}


def _params(action, unit, successor, earlier):
    """What each action needs besides the order (the services pass these)."""
    if action == "dispatch":
        return {"unit": unit}
    if action == "merge":
        return {"into": earlier}
    if action == "approve_extension":
        return {"working_days": 3}
    if action == "accept_reply":
        return {"completed_at": NOW - timedelta(minutes=5)}
    if action == "handover":
        return {"to_user": successor}
    if action == "deadline_recomputed":
        return {"handle_deadline": datetime(2026, 11, 30, 23, 59, 59)}
    return {}


@pytest.mark.parametrize("state", STATES, ids=lambda s: s.value if s else "new")
@pytest.mark.parametrize("action", ACTIONS)
def test_every_state_action_role(state, action):
    with frozen():
        unit, leader, liaison = staffed_unit()
        successor = UserFactory(role=Role.LIAISON, unit=unit)
        earlier = OrderFactory(accepted_at=NOW - timedelta(days=2))
        actors = {A: UserFactory(role=A, unit=None), C: UserFactory(role=C, unit=None),
                  O: UserFactory(role=O, unit=None), L: leader, LI: liaison, SYSTEM: None}
        stage = ReturnStage.LEADER if action in LEADER_STAGE_ACTIONS else ReturnStage.CENTRE
        to_state, allowed_roles = EXPECTED.get((state, action), (None, set()))
        for role, actor in actors.items():
            order = WorkOrder(number="new", accepted_at=NOW, kind=OrderKind.CONSULT, title="t", content="c") \
                if state is None else order_in(state, unit, stage=stage)
            if state is not None:
                _prepare(action, order, unit, liaison)
            savepoint = db.session.begin_nested()
            events_before = db.session.scalar(db.select(db.func.count(OrderEvent.id)))
            before = _snapshot(order)
            try:
                if role in allowed_roles:
                    if action in USER_FACING and actor is not None:
                        assert action in allowed_actions(order, actor), (role, "allowed_actions disagrees")
                    event = transition(order, action, actor, text="测试", **_params(action, unit, successor, earlier))
                    assert order.state == to_state, role
                    assert (event.from_state, event.to_state, event.at) == (state, to_state, NOW)
                    assert event.actor_role == (None if actor is None else role)
                else:
                    if actor is not None:
                        assert action not in allowed_actions(order, actor), role
                    may_ever = any(role in roles for (_s, a), (_t, roles) in EXPECTED.items() if a == action)
                    with pytest.raises(RuleViolation if may_ever else ActionForbidden):
                        transition(order, action, actor, **_params(action, unit, successor, earlier))
                    assert _snapshot(order) == before, role
                    assert db.session.scalar(db.select(db.func.count(OrderEvent.id))) == events_before
            finally:
                savepoint.rollback()


def test_the_order_page_never_offers_actions_of_other_features():
    with frozen():
        unit, leader, _liaison = staffed_unit()
        admin = UserFactory(role=Role.ADMIN, unit=None)
        # order_in leaves a 督办 on the order, so the next grade (督办单) is offered too.
        assert allowed_actions(order_in(S.DISPATCHED, unit), admin) == {"supervise", "issue_notice"}
        assert "handover" not in allowed_actions(order_in(S.IN_PROGRESS, unit), leader)


# --- effects: what each cell sets besides the state, at the time it is given ----------------------------

AT = datetime(2026, 11, 24, 15, 30)  # Tuesday afternoon; 咨询 has 3 working days → Friday 23:59:59


def test_dispatch_starts_both_clocks_at_the_given_time():
    with frozen():
        unit, _leader, _liaison = staffed_unit()
        staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
        order = order_in(S.PENDING, return_count=1, extension_count=2)
        event = transition(order, "dispatch", staff, at=AT, unit=unit, text="请尽快")
        assert (order.unit_id, order.last_unit_id, order.dispatched_at) == (unit.id, unit.id, AT)
        assert order.sign_deadline == datetime(2026, 11, 25, 23, 59, 59)
        assert order.handle_deadline == datetime(2026, 11, 27, 23, 59, 59)
        assert order.handle_started_at == AT
        assert (order.signed_at, order.handler_id, order.designated) == (None, None, False)
        assert order.extension_count == 0  # the allowance of 2 starts again at every dispatch
        assert event.text == f"派至{unit.short_name}。请尽快"
        assert event.data == {"unit_id": unit.id, "unit": unit.short_name, "designated": False}


def test_the_fourth_dispatch_is_a_designation_and_an_inactive_unit_is_refused():
    with frozen():
        unit, _leader, _liaison = staffed_unit()
        staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
        order = order_in(S.PENDING, return_count=3)
        transition(order, "dispatch", staff, unit=unit)
        assert order.designated is True
        other = order_in(S.PENDING)
        unit.active = False
        with pytest.raises(RuleViolation, match="有效的承办单位"):
            transition(other, "dispatch", staff, unit=unit)
        assert (other.state, other.unit_id) == (S.PENDING, None)


def test_sign_reply_accept_reopen_set_their_columns():
    with frozen():
        unit, _leader, liaison = staffed_unit()
        staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
        order = order_in(S.DISPATCHED, unit)
        transition(order, "sign", liaison, at=AT)
        assert (order.signed_at, order.handler_id) == (AT, liaison.id)
        transition(order, "reply", liaison, at=AT + timedelta(hours=1))
        transition(order, "accept_reply", staff, at=AT + timedelta(hours=3), completed_at=AT + timedelta(hours=1))
        assert (order.completed_at, order.closed_at) == (AT + timedelta(hours=1), AT + timedelta(hours=3))
        reopen_at = datetime(2026, 11, 26, 9)  # Thursday → 3 working days: Fri, Mon, Tue 12-01 23:59:59
        event = transition(order, "reopen", staff, at=reopen_at, text="群众不满意")
        assert (order.state, order.unit_id, order.completed_at, order.closed_at) == (S.IN_PROGRESS, unit.id, None, None)
        assert (order.handle_started_at, order.handle_deadline) == (reopen_at, datetime(2026, 12, 1, 23, 59, 59))
        assert order.reopen_count == 1
        assert event.data == {"handle_deadline": "2026-12-01T23:59:59"}


def test_rejected_reply_restarts_the_clock_and_counts_a_reopen():
    with frozen():
        unit, _leader, _liaison = staffed_unit()
        staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
        order = order_in(S.REPLIED, unit)
        transition(order, "reject_reply", staff, at=AT)
        assert (order.handle_started_at, order.handle_deadline, order.reopen_count) == (
            AT, datetime(2026, 11, 27, 23, 59, 59), 1)


def test_return_approval_clears_the_unit_and_keeps_the_last_one():
    with frozen():
        unit, _leader, _liaison = staffed_unit()
        staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
        order = order_in(S.RETURN_REQUESTED, unit, handler_id=_liaison.id)
        deadline = order.handle_deadline
        transition(order, "approve_return", staff)
        assert (order.state, order.unit_id, order.handler_id, order.last_unit_id) == (S.PENDING, None, None, unit.id)
        assert (order.return_count, order.handle_deadline) == (1, deadline)


def test_extension_approval_moves_the_deadline_by_working_days():
    with frozen():
        unit, _leader, _liaison = staffed_unit()
        staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
        order = order_in(S.EXTENSION_REQUESTED, unit)  # deadline Friday 11-27 23:59:59
        event = transition(order, "approve_extension", staff, working_days=3)
        assert order.handle_deadline == datetime(2026, 12, 2, 23, 59, 59)
        assert order.extension_count == 1
        assert event.data == {"working_days": 3, "from": "2026-11-27T23:59:59", "to": "2026-12-02T23:59:59"}


def test_merge_names_the_earlier_order_and_refuses_a_later_one():
    with frozen():
        staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
        earlier = order_in(S.PENDING, accepted_at=NOW - timedelta(days=3))
        order = order_in(S.PENDING)
        later = order_in(S.PENDING, accepted_at=NOW)
        with pytest.raises(RuleViolation, match="更早受理"):
            transition(order, "merge", staff, into=later)
        assert (order.state, order.merged_into_id) == (S.PENDING, None)
        transition(order, "merge", staff, into=earlier)
        assert (order.state, order.merged_into_id) == (S.MERGED, earlier.id)


def test_handover_moves_the_handler_only_to_an_active_liaison_of_the_unit():
    with frozen():
        unit, leader, liaison = staffed_unit()
        other_unit, _l, stranger = staffed_unit()
        successor = UserFactory(role=Role.LIAISON, unit=unit)
        order = order_in(S.IN_PROGRESS, unit, handler_id=liaison.id)
        with pytest.raises(RuleViolation, match="在岗的联络员"):
            transition(order, "handover", leader, to_user=stranger)
        assert order.handler_id == liaison.id
        event = transition(order, "handover", leader, to_user=successor)
        assert order.handler_id == successor.id and event.data == {"from": liaison.id, "to": successor.id}


def test_guards_read_the_given_time_not_the_clock():
    with frozen():
        unit, _leader, liaison = staffed_unit()
        order = order_in(S.IN_PROGRESS, unit)  # handle deadline 11-27 23:59:59; dispatched 11-24 09:00
        late = datetime(2026, 11, 28, 8)
        with pytest.raises(RuleViolation, match="已超过办理时限"):
            transition(order, "request_extension", liaison, at=late)
        with pytest.raises(RuleViolation, match="2个工作日"):
            transition(order, "request_return", liaison, at=late)
        assert order.state == S.IN_PROGRESS


@pytest.mark.parametrize("signed, back_to", [(True, OrderState.IN_PROGRESS), (False, OrderState.DISPATCHED)])
def test_rejected_return_resumes_where_the_order_was(signed, back_to):
    with frozen():
        unit, _leader, _liaison = staffed_unit()
        staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
        order = order_in(OrderState.RETURN_REQUESTED, unit, signed=signed)
        transition(order, "reject_return", staff, text="属于你单位职责")
        assert order.state == back_to


def test_another_units_user_is_refused():
    with frozen():
        unit, _l, _li = staffed_unit()
        _other, _ol, stranger = staffed_unit()
        order = order_in(OrderState.DISPATCHED, unit)
        assert allowed_actions(order, stranger) == set()
        with pytest.raises(ActionForbidden):
            transition(order, "sign", stranger)
        assert (order.state, order.signed_at, order.events) == (OrderState.DISPATCHED, None, [])


def test_centre_cannot_decide_a_return_still_with_the_leader_and_the_leader_not_one_with_the_centre():
    with frozen():
        unit, leader, _li = staffed_unit()
        staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
        at_leader = order_in(OrderState.RETURN_REQUESTED, unit, stage=ReturnStage.LEADER)
        at_centre = order_in(OrderState.RETURN_REQUESTED, unit, stage=ReturnStage.CENTRE)
        assert allowed_actions(at_leader, staff) & {"approve_return", "reject_return"} == set()
        assert allowed_actions(at_leader, leader) >= {"leader_approve_return", "leader_reject_return"}
        assert allowed_actions(at_centre, leader) & {"leader_approve_return", "leader_reject_return"} == set()
        with pytest.raises(RuleViolation, match="尚未经单位负责人同意"):
            transition(at_leader, "approve_return", staff)
        assert (at_leader.state, at_leader.unit_id, at_leader.events) == (OrderState.RETURN_REQUESTED, unit.id, [])


def test_designated_order_cannot_be_returned():
    with frozen():
        unit, _l, liaison = staffed_unit()
        order = order_in(OrderState.IN_PROGRESS, unit, designated=True)
        assert "request_return" not in allowed_actions(order, liaison)
        with pytest.raises(RuleViolation, match="指定"):
            transition(order, "request_return", liaison)
        assert (order.state, order.events) == (OrderState.IN_PROGRESS, [])


def test_every_action_bumps_the_version_even_when_the_state_stays():
    with frozen():
        unit, _l, liaison = staffed_unit()
        order = order_in(OrderState.IN_PROGRESS, unit)
        before = order.version
        transition(order, "acknowledge", liaison)
        assert order.state == OrderState.IN_PROGRESS
        assert order.version == before + 1


def test_the_database_refuses_columns_that_contradict_the_state():
    """CHECK constraints back the lifecycle: merged ⇔ merged_into_id, held ⇒ unit, closed ⇒ completed."""
    from sqlalchemy.exc import IntegrityError

    with frozen():
        unit, _l, _li = staffed_unit()
        for bad in ({"state": S.MERGED}, {"state": S.IN_PROGRESS}, {"state": S.PENDING, "unit_id": unit.id},
                    {"state": S.CLOSED, "unit_id": unit.id}):
            savepoint = db.session.begin_nested()
            db.session.add(WorkOrder(number="bad", accepted_at=NOW, kind=OrderKind.CONSULT, title="t", content="c",
                                     **bad))
            with pytest.raises(IntegrityError):
                db.session.flush()
            savepoint.rollback()
