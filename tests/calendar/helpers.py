"""Orders for calendar tests, brought to their state through the lifecycle at the given times."""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from portal.auth.roles import Role
from portal.extensions import db
from portal.orders.enums import OrderKind, OrderState, RequestStatus
from portal.orders.models import WorkOrder
from portal.orders.records import ExtensionRequest
from portal.orders.transitions import transition
from tests.factories import UserFactory

_numbers = count(1)


def dispatched_order(unit, at: datetime, kind=OrderKind.CONSULT, *, state=OrderState.IN_PROGRESS, urgent=False,
                     extensions=(), reopened_at: datetime | None = None) -> WorkOrder:
    """An order dispatched to `unit` at `at` (signed then unless `state` is 待签收), with approved extensions
    of the given working days, reopened at `reopened_at`, or closed when `state` is 已办结."""
    centre = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    liaison = UserFactory(role=Role.LIAISON, unit=unit)
    order = WorkOrder(number=f"T{next(_numbers):09d}", accepted_at=at, kind=kind, title="测试工单", content="内容",
                      urgent=urgent)
    transition(order, "create", centre, at=at)
    transition(order, "dispatch", centre, at=at, unit=unit)
    if state != OrderState.DISPATCHED:
        transition(order, "sign", liaison, at=at)
    if reopened_at is not None or state == OrderState.CLOSED:
        closed_at = (reopened_at or at + timedelta(hours=3)) - timedelta(hours=1)
        transition(order, "reply", liaison, at=closed_at - timedelta(hours=1))
        transition(order, "accept_reply", centre, at=closed_at, completed_at=closed_at - timedelta(hours=1))
        if reopened_at is not None:
            transition(order, "reopen", centre, at=reopened_at)
    for days in extensions:
        old = order.handle_deadline
        transition(order, "request_extension", liaison, at=at)
        transition(order, "approve_extension", centre, at=at, working_days=days)
        db.session.add(ExtensionRequest(order_id=order.id, unit_id=unit.id, reason="需现场勘查", working_days=days,
                                        requested_at=at, decided_at=at, status=RequestStatus.APPROVED,
                                        old_deadline=old, new_deadline=order.handle_deadline))
    db.session.commit()
    return order
