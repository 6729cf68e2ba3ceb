"""Work orders built directly as rows (statistics read columns, not the lifecycle)."""
from __future__ import annotations

from datetime import datetime

import factory

from portal.calls.models import Call, CallOutcome
from portal.orders.enums import CallbackResult, OrderKind, OrderState
from portal.orders.models import Callback, OrderEvent, Subject, Tag, WorkOrder
from tests.factories import BaseFactory, UnitFactory


class OrderFactory(BaseFactory):
    """A dispatched order of August 2018, open, due 2018-08-20 23:59:59."""

    class Meta:
        model = WorkOrder

    number = factory.Sequence(lambda n: f"2018{n:06d}")
    accepted_at = datetime(2018, 8, 10, 9, 0)
    kind = OrderKind.HELP
    title = "测试工单"
    content = "诉求内容"
    state = OrderState.IN_PROGRESS
    last_unit = factory.SubFactory(UnitFactory)
    unit = factory.SelfAttribute("last_unit")
    dispatched_at = factory.LazyAttribute(lambda o: o.accepted_at)
    handle_deadline = datetime(2018, 8, 20, 23, 59, 59)
    # A merged order names the earlier order it was merged into (a July order, outside the test periods).
    merged_into_id = factory.LazyAttribute(lambda o: OrderFactory(
        accepted_at=datetime(2018, 7, 1, 9)).id if o.state == OrderState.MERGED else None)


def closed(completed_at: datetime, **kwargs) -> WorkOrder:
    return OrderFactory(state=OrderState.CLOSED, completed_at=completed_at, closed_at=completed_at, **kwargs)


class SubjectFactory(BaseFactory):
    class Meta:
        model = Subject

    name = factory.Sequence(lambda n: f"分类{n}")


class TagFactory(BaseFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"标签{n}")


class CallFactory(BaseFactory):
    class Meta:
        model = Call

    received_at = datetime(2018, 8, 10, 9, 0)
    mobile = "13800001234"
    summary = "来电"
    outcome = CallOutcome.DIRECT


class CallbackFactory(BaseFactory):
    class Meta:
        model = Callback

    order_id = factory.LazyFunction(lambda: OrderFactory().id)
    result = CallbackResult.SATISFIED
    at = datetime(2018, 8, 25, 10, 0)


class EventFactory(BaseFactory):
    class Meta:
        model = OrderEvent

    order = factory.SubFactory(OrderFactory)
    action = "request_return"
    at = datetime(2018, 8, 11, 10, 0)
