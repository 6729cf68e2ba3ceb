"""Orders for the lifecycle tests, built as rows in a given state with every guard satisfied.

Time is frozen at NOW (Tuesday 2026-11-24 10:00, Asia/Shanghai) by the `frozen` helper.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import factory
import time_machine

from portal.auth.roles import Role
from portal.extensions import db
from portal.orders.enums import OrderKind, OrderState, RequestStatus, ReturnStage
from portal.orders.models import Subject, WorkOrder
from portal.orders.records import ExtensionRequest, Reply, ReturnRequest, Supervision
from tests.factories import BaseFactory, UnitFactory, UserFactory

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0)  # a Tuesday, an ordinary working day


@contextmanager
def frozen(at: datetime = NOW):
    with time_machine.travel(at.replace(tzinfo=TZ), tick=False):
        yield


class OrderFactory(BaseFactory):
    class Meta:
        model = WorkOrder

    number = factory.Sequence(lambda n: f"20261124{n:04d}")
    accepted_at = NOW - timedelta(hours=1)
    kind = OrderKind.CONSULT
    title = factory.Sequence(lambda n: f"测试工单{n}")
    content = "小区门口道路积水严重，影响居民出行，请尽快处理。"
    caller_name = "王先生"
    caller_mobile = "13812341234"
    address = "汉滨区测试路1号"
    state = OrderState.PENDING


class SubjectFactory(BaseFactory):
    class Meta:
        model = Subject

    name = factory.Sequence(lambda n: f"分类{n}")


def staffed_unit():
    """A unit with an active leader and a liaison: (unit, leader, liaison)."""
    unit = UnitFactory()
    leader = UserFactory(role=Role.UNIT_LEADER, unit=unit)
    liaison = UserFactory(role=Role.LIAISON, unit=unit)
    return unit, leader, liaison


def order_in(state: OrderState | None, unit=None, *, signed: bool = True, stage: ReturnStage = ReturnStage.CENTRE,
             **fields) -> WorkOrder:
    """An order in `state`, held by `unit`, dispatched an hour ago, with the pending records that state implies."""
    held = state not in (None, OrderState.PENDING, OrderState.MERGED)
    values = dict(state=state)
    if held:
        values.update(unit=unit, last_unit=unit, dispatched_at=NOW - timedelta(hours=1),
                      sign_deadline=datetime(2026, 11, 25, 23, 59, 59),
                      handle_deadline=datetime(2026, 11, 27, 23, 59, 59))
        if signed and state != OrderState.DISPATCHED:
            values["signed_at"] = NOW - timedelta(minutes=30)
    if state == OrderState.CLOSED:
        values.update(completed_at=NOW - timedelta(minutes=20), closed_at=NOW - timedelta(minutes=10))
    if state == OrderState.MERGED:
        values["merged_into_id"] = OrderFactory(accepted_at=NOW - timedelta(days=1)).id
    values.update(fields)
    order = OrderFactory(**values)
    if state == OrderState.RETURN_REQUESTED:
        db.session.add(ReturnRequest(order_id=order.id, unit_id=unit.id, reason="不属本单位职责",
                                     duty_basis="三定方案", stage=stage, status=RequestStatus.PENDING))
    if state == OrderState.EXTENSION_REQUESTED:
        db.session.add(ExtensionRequest(order_id=order.id, unit_id=unit.id, reason="需现场勘查", working_days=3,
                                        old_deadline=order.handle_deadline))
    if state == OrderState.REPLIED:
        db.session.add(Reply(order_id=order.id, unit_id=unit.id, result="已联系群众并处理完毕。", contact_way="电话",
                             contacted_at=NOW - timedelta(minutes=10), submitted_at=NOW - timedelta(minutes=5)))
    if held:
        db.session.add(Supervision(order_id=order.id, unit_id=unit.id, text="请加快办理"))
    db.session.commit()
    return order
