"""The one place that writes 流转记录 rows: transition() for every lifecycle action (also the import, the
roster hand-over and the calendar recompute), and the few records that change no lifecycle column (a phone
number revealed, a file attached, an order merged into this one)."""
from __future__ import annotations

from portal.clock import now
from portal.extensions import db
from portal.orders.enums import OrderState
from portal.orders.history import record_facts
from portal.orders.models import OrderEvent, WorkOrder


def append_event(
    order: WorkOrder,
    action: str,
    actor=None,
    *,
    from_state: OrderState | None = None,
    to_state: OrderState | None = None,
    text: str = "",
    data: dict | None = None,
    at=None,
) -> OrderEvent:
    event = OrderEvent(
        order=order,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor_id=getattr(actor, "id", None),
        actor_role=getattr(actor, "role", None),
        actor_unit_id=getattr(actor, "unit_id", None),
        at=at or now(),
        text=text,
        data=data or {},
    )
    db.session.add(event)
    record_facts(order, action, event.at, event.data)
    return event
