"""A work order for roster tests, held by a unit and worked by a handler (built by the orders' factory)."""
from __future__ import annotations

from portal.orders.enums import OrderState
from tests.orders.factories import order_in


def make_order(unit, handler=None, state=OrderState.IN_PROGRESS):
    return order_in(state, unit, handler_id=handler.id if handler else None)
