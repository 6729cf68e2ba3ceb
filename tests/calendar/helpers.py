"""Orders built directly for calendar tests (the lifecycle itself is tested in tests/orders)."""
from __future__ import annotations

from datetime import datetime
from itertools import count

from portal.calendar.deadlines import extend_deadline, handle_deadline, sign_deadline
from portal.extensions import db
from portal.orders.enums import OrderKind, OrderState
from portal.orders.events import append_event
from portal.orders.models import WorkOrder

_numbers = count(1)


def dispatched_order(unit, at: datetime, kind=OrderKind.CONSULT, *, state=OrderState.IN_PROGRESS, urgent=False,
                     extensions=(), reopened_at: datetime | None = None) -> WorkOrder:
    """An order dispatched to `unit` at `at`, with its deadlines computed now and its events written."""
    order = WorkOrder(number=f"T{next(_numbers):09d}", accepted_at=at, kind=kind, title="测试工单", content="内容",
                      urgent=urgent, state=state, unit_id=unit.id, last_unit_id=unit.id, dispatched_at=at,
                      sign_deadline=sign_deadline(at, urgent), handle_deadline=handle_deadline(at, kind, urgent))
    db.session.add(order)
    append_event(order, "dispatch", at=at, to_state=OrderState.DISPATCHED)
    if state != OrderState.DISPATCHED:
        order.signed_at = at
    if reopened_at is not None:
        order.handle_deadline = handle_deadline(reopened_at, kind, urgent)
        append_event(order, "reopen", at=reopened_at, to_state=OrderState.IN_PROGRESS)
    for days in extensions:
        new = extend_deadline(order.handle_deadline, days)
        append_event(order, "approve_extension", at=at,
                     data={"working_days": days, "from": order.handle_deadline.isoformat(), "to": new.isoformat()})
        order.handle_deadline = new
    order.extension_count = len(extensions)
    db.session.commit()
    return order
