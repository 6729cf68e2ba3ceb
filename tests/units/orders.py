"""A minimal work order for roster tests (the orders feature owns the real factories)."""
from __future__ import annotations

import itertools
from datetime import datetime

from portal.extensions import db
from portal.orders.enums import OrderKind, OrderState
from portal.orders.models import WorkOrder

_numbers = itertools.count(1)


def make_order(unit, handler=None, state=OrderState.IN_PROGRESS) -> WorkOrder:
    order = WorkOrder(
        number=f"20180801{next(_numbers):04d}", accepted_at=datetime(2018, 8, 1, 9), kind=OrderKind.CONSULT,
        title="咨询事项", content="内容", state=state, unit_id=unit.id, last_unit_id=unit.id,
        handler_id=handler.id if handler else None, dispatched_at=datetime(2018, 8, 1, 10),
    )
    db.session.add(order)
    db.session.commit()
    return order
