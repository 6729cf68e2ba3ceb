"""Work orders built directly as rows, each with one fact row holding its columns from its 受理时间 on
(as if nothing had changed since: the history tests in tests/stats/test_as_of.py use the real services)."""
from __future__ import annotations

from datetime import datetime

import factory

from portal.calls.models import Call, CallOutcome
from portal.extensions import db
from portal.orders.enums import CallbackResult, OrderKind, OrderState
from portal.orders.history import OrderFact
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

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        order = super()._create(model_class, *args, **kwargs)
        if order.state != OrderState.MERGED:
            held = order.state != OrderState.PENDING and order.last_unit_id is not None
            db.session.add(OrderFact(
                order_id=order.id, accepted_at=order.accepted_at, kind=order.kind, valid_from=order.accepted_at,
                unit_id=order.last_unit_id if held else None, dispatched_at=order.dispatched_at if held else None,
                sign_deadline=order.sign_deadline, signed_at=order.signed_at, handle_deadline=order.handle_deadline,
                completed_at=order.completed_at, extensions=order.extension_count, reopens=order.reopen_count))
            db.session.commit()
        return order


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
    closure = factory.Sequence(lambda n: n + 1)


class EventFactory(BaseFactory):
    class Meta:
        model = OrderEvent

    order = factory.SubFactory(OrderFactory)
    action = "request_return"
    at = datetime(2018, 8, 11, 10, 0)
