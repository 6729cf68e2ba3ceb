"""The one place that writes 流转记录 rows. The transition function and every other change to an
order that must be on its record (calendar recompute, roster handover, reveal of a phone number)
go through append_event."""
from __future__ import annotations

from portal.clock import now
from portal.extensions import db
from portal.orders.enums import OrderState
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
    return event
