"""Further per-unit rates a centre expects (DOMAIN.md §4): 签收及时率, 退单数/退单率, 延期数, 重办率,
回访满意率. Same orders as the unit table (accepted in the period by T, not merged by T), each with the
facts in force at T and only events at or before T:

- 签收及时率 = orders whose dispatch in force at T was signed by T with signed_at ≤ sign_deadline (or no
  sign deadline) / those signed by T.
- 退单数 = return requests (申请退单 events) a unit made by T on the period's orders; they count for the unit
  that asked, whichever unit (or 待派单) the order counts for at T. 退单率 = orders the unit asked to return /
  orders dispatched to it: those counted for it at T plus those it asked to return that count for another
  unit or are 待派单 at T.
- 延期数 = extensions approved by T within the dispatch in force at T.
- 重办率 = orders with a rejected reply or a reopen (重办) by T within the dispatch in force at T / its orders.
- 回访满意率 = callbacks by T within the dispatch in force at T whose level counts as satisfied (an admin
  setting) / those callbacks. A callback whose appeal was upheld by T (申诉成立, `excluded_at`) is left out.
- 解决率 = orders completed at T whose completing reply (the one submitted at completed_at) says 已解决 /
  orders completed at T.
- 协办数 / 协办及时率: the unit's 协办 parts (portal/stats/cotasks.py).
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import and_, case, distinct, func, not_, or_, select

from portal.extensions import db
from portal.orders.callbacks import satisfied_levels
from portal.orders.models import Callback, OrderEvent
from portal.orders.records import Reply
from portal.stats._sql import F, count_if, counted, dispatched, status_conditions
from portal.stats.cotasks import co_task_counts
from portal.stats.formatting import percent_one_decimal
from portal.stats.period import Period


@dataclass
class UnitRates:
    unit_id: int | None
    total: int = 0
    signed: int = 0
    signed_on_time: int = 0
    returns: int = 0
    returned_orders: int = 0
    dispatched_to: int = 0
    extensions: int = 0
    reopened: int = 0
    callbacks: int = 0
    satisfied: int = 0
    completed: int = 0
    resolved: int = 0
    co_tasks: int = 0  # 协办数
    co_due: int = 0
    co_on_time: int = 0

    @property
    def sign_rate_text(self) -> str:
        return percent_one_decimal(self.signed_on_time, self.signed)

    @property
    def return_rate_text(self) -> str:
        return percent_one_decimal(self.returned_orders, self.dispatched_to)

    @property
    def reopen_rate_text(self) -> str:
        return percent_one_decimal(self.reopened, self.total)

    @property
    def satisfaction_text(self) -> str:
        return percent_one_decimal(self.satisfied, self.callbacks)

    @property
    def resolution_text(self) -> str:
        return percent_one_decimal(self.resolved, self.completed)

    @property
    def co_rate_text(self) -> str:
        """协办及时率."""
        return percent_one_decimal(self.co_on_time, self.co_due)

    def as_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(sign_rate=self.sign_rate_text, return_rate=self.return_rate_text,
                    reopen_rate=self.reopen_rate_text, satisfaction=self.satisfaction_text,
                    resolution=self.resolution_text, co_rate=self.co_rate_text)
        return data


def unit_rates(period: Period) -> dict[int, UnitRates]:
    """The further rates of every unit with orders (or returns, or callbacks) in the period."""
    t = period.as_of
    out: dict[int, UnitRates] = {}

    def get(unit_id: int) -> UnitRates:
        return out.setdefault(unit_id, UnitRates(unit_id))

    held = dispatched(t)
    signed = and_(F.signed_at.is_not(None), F.signed_at <= t)
    on_time_sign = and_(signed, or_(F.sign_deadline.is_(None), F.signed_at <= F.sign_deadline))
    orders = (
        select(F.unit_id, func.count(F.id), count_if(signed), count_if(on_time_sign),
               func.coalesce(func.sum(F.extensions), 0), count_if(F.reopens > 0))
        .where(counted(period), held)
        .group_by(F.unit_id)
    )
    for unit_id, total, n_signed, n_on_time, extensions, reopened in db.session.execute(orders):
        r = get(unit_id)
        r.total, r.signed, r.signed_on_time = int(total), int(n_signed), int(n_on_time)
        r.extensions, r.reopened = int(extensions), int(reopened)

    asker = OrderEvent.actor_unit_id
    away = not_(and_(held, F.unit_id == asker))
    returns = (
        select(asker, func.count(OrderEvent.id), func.count(distinct(OrderEvent.order_id)),
               func.count(distinct(case((away, OrderEvent.order_id)))))
        .join(F, F.order_id == OrderEvent.order_id)
        .where(counted(period), OrderEvent.action == "request_return", asker.is_not(None), OrderEvent.at <= t)
        .group_by(asker)
    )
    returned_away: dict[int, int] = {}
    for unit_id, n_events, n_orders, n_away in db.session.execute(returns):
        r = get(unit_id)
        r.returns, r.returned_orders = int(n_events), int(n_orders)
        returned_away[unit_id] = int(n_away)

    good = Callback.result.in_(satisfied_levels())
    callbacks = (
        select(F.unit_id, func.count(Callback.id), count_if(good))
        .join(F, F.order_id == Callback.order_id)
        .where(counted(period), held, Callback.closure.is_not(None), Callback.at <= t, Callback.at >= F.dispatched_at,
               or_(Callback.excluded_at.is_(None), Callback.excluded_at > t))
        .group_by(F.unit_id)
    )
    for unit_id, n, n_good in db.session.execute(callbacks):
        r = get(unit_id)
        r.callbacks, r.satisfied = int(n), int(n_good)

    for unit_id, (n_done, n_resolved) in resolution_counts(period).items():
        r = get(unit_id)
        r.completed, r.resolved = n_done, n_resolved
    for unit_id, (n, n_due, n_on_time) in co_task_counts(period).items():
        r = get(unit_id)
        r.co_tasks, r.co_due, r.co_on_time = n, n_due, n_on_time

    for unit_id, r in out.items():
        r.dispatched_to = r.total + returned_away.get(unit_id, 0)
    return out


def resolution_counts(period: Period) -> dict[int, tuple[int, int]]:
    """Per unit: orders completed at T, and those whose completing reply says 已解决 (解决率)."""
    t = period.as_of
    done = status_conditions(t)
    completed = or_(done["on_time"], done["late"])
    # The completing reply: the one whose time for timeliness (reached the centre; submitted before sign-off
    # existed) is completed_at.
    reached = func.coalesce(Reply.reached_centre_at, Reply.submitted_at)
    said_resolved = (select(Reply.id).where(Reply.order_id == F.order_id, reached == F.completed_at,
                                            Reply.resolved.is_(True)).exists())
    resolutions = (
        select(F.unit_id, count_if(completed), count_if(and_(completed, said_resolved)))
        .where(counted(period), dispatched(t))
        .group_by(F.unit_id)
    )
    return {unit_id: (int(n_done), int(n_resolved)) for unit_id, n_done, n_resolved in db.session.execute(resolutions)}


def city_rates(period: Period, per_unit: dict[int, UnitRates] | None = None) -> UnitRates:
    """The same rates city-wide (the sum over units)."""
    per_unit = unit_rates(period) if per_unit is None else per_unit
    total = UnitRates(None)
    for r in per_unit.values():
        for f in fields(r):
            if f.name != "unit_id":
                setattr(total, f.name, getattr(total, f.name) + getattr(r, f.name))
    return total
