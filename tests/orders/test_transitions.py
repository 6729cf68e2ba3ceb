"""Every state × action × role of the transition table, plus explicit expectations for key cells."""
from __future__ import annotations

import pytest

from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.enums import OrderKind, OrderState, ReturnStage
from portal.orders.models import OrderEvent, WorkOrder
from portal.orders.transitions import (
    ACTION_ROLES, RESUME, TABLE, ActionForbidden, allowed_actions, transition,
)
from tests.factories import UserFactory
from tests.orders.factories import NOW, frozen, order_in, staffed_unit

STATES = [None, *OrderState]
ACTIONS = sorted(ACTION_ROLES)
LEADER_STAGE_ACTIONS = {"leader_approve_return", "leader_reject_return"}


def _actors(unit):
    unit_, leader, liaison = unit
    return {
        Role.ADMIN: UserFactory(role=Role.ADMIN, unit=None),
        Role.CENTRE_STAFF: UserFactory(role=Role.CENTRE_STAFF, unit=None),
        Role.OPERATOR: UserFactory(role=Role.OPERATOR, unit=None),
        Role.UNIT_LEADER: leader,
        Role.LIAISON: liaison,
    }


def _expected_state(state, action, order):
    to = TABLE[(state, action)]
    if to == RESUME:
        return OrderState.IN_PROGRESS if order.signed_at else OrderState.DISPATCHED
    return to


@pytest.mark.parametrize("state", STATES, ids=lambda s: s.value if s else "new")
@pytest.mark.parametrize("action", ACTIONS)
def test_every_state_action_role(state, action):
    """Allowed exactly when the table has the cell and the role may act; else refused, nothing recorded."""
    with frozen():
        unit = staffed_unit()
        actors = _actors(unit)
        stage = ReturnStage.LEADER if action in LEADER_STAGE_ACTIONS else ReturnStage.CENTRE
        for role, actor in actors.items():
            order = WorkOrder(number="new", accepted_at=NOW, kind=OrderKind.CONSULT, title="t", content="c") \
                if state is None else order_in(state, unit[0], stage=stage)
            events_before = db.session.scalar(db.select(db.func.count(OrderEvent.id)))
            savepoint = db.session.begin_nested()
            allowed = (state, action) in TABLE and role in ACTION_ROLES[action]
            try:
                if allowed:
                    assert action in allowed_actions(order, actor), (role, "allowed_actions disagrees")
                    event = transition(order, action, actor, text="测试")
                    assert order.state == _expected_state(state, action, order)
                    assert (event.from_state, event.to_state, event.actor_role) == (state, order.state, role)
                else:
                    assert action not in allowed_actions(order, actor), role
                    expected_error = ActionForbidden if role not in ACTION_ROLES[action] else RuleViolation
                    with pytest.raises(expected_error):
                        transition(order, action, actor)
                    assert order.state == state
                    assert db.session.scalar(db.select(db.func.count(OrderEvent.id))) == events_before
            finally:
                savepoint.rollback()


def test_table_covers_the_domain_lifecycle():
    """Key cells, written out rather than read from the table."""
    S = OrderState
    assert TABLE[(None, "create")] == S.PENDING
    assert TABLE[(S.PENDING, "dispatch")] == S.DISPATCHED
    assert TABLE[(S.DISPATCHED, "sign")] == S.IN_PROGRESS
    assert TABLE[(S.IN_PROGRESS, "reply")] == S.REPLIED
    assert TABLE[(S.EXTENSION_REQUESTED, "reply")] == S.REPLIED  # keeps working during the review
    assert TABLE[(S.REPLIED, "accept_reply")] == S.CLOSED
    assert TABLE[(S.REPLIED, "reject_reply")] == S.IN_PROGRESS
    assert TABLE[(S.RETURN_REQUESTED, "approve_return")] == S.PENDING
    assert TABLE[(S.CLOSED, "reopen")] == S.IN_PROGRESS
    assert TABLE[(S.PENDING, "merge")] == S.MERGED
    assert not [cell for cell in TABLE if cell[0] == S.MERGED], "a merged order is final"
    assert (S.DISPATCHED, "reply") not in TABLE, "sign before replying"
    assert (S.CLOSED, "request_return") not in TABLE


def test_roles_of_key_actions():
    assert ACTION_ROLES["create"] == {Role.ADMIN, Role.CENTRE_STAFF, Role.OPERATOR}
    assert ACTION_ROLES["leader_approve_return"] == {Role.UNIT_LEADER}
    assert ACTION_ROLES["sign"] == {Role.UNIT_LEADER, Role.LIAISON}
    assert {a for a, roles in ACTION_ROLES.items() if Role.OPERATOR in roles} == {"create"}


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


def test_designated_order_cannot_be_returned():
    with frozen():
        unit, _l, liaison = staffed_unit()
        order = order_in(OrderState.IN_PROGRESS, unit, designated=True)
        assert "request_return" not in allowed_actions(order, liaison)
        with pytest.raises(RuleViolation, match="指定"):
            transition(order, "request_return", liaison)


def test_every_action_bumps_the_version_even_when_the_state_stays():
    with frozen():
        unit, _l, liaison = staffed_unit()
        order = order_in(OrderState.IN_PROGRESS, unit)
        before = order.version
        transition(order, "acknowledge", liaison)
        assert order.state == OrderState.IN_PROGRESS
        assert order.version == before + 1
