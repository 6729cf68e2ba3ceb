"""Further per-unit rates, trends by day and month, rankings per group."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from portal.calls.models import CallOutcome
from portal.orders.enums import CallbackResult, OrderState
from portal.stats.queries import (
    Period, city_rates, daily_trend, group_rankings, monthly_trend, unit_rank, unit_rates, unit_rows,
)
from portal.stats.trends import BLACK, RED
from tests.factories import UnitFactory
from tests.stats.factories import CallbackFactory, CallFactory, EventFactory, OrderFactory, closed

T = datetime(2018, 9, 29, 12, 0)
AUGUST = Period(date(2018, 8, 1), date(2018, 8, 31), T)
DEADLINE = datetime(2018, 8, 20, 23, 59, 59)


def test_sign_rate_counts_signed_orders_signed_by_their_sign_deadline():
    unit = UnitFactory()
    sign_deadline = datetime(2018, 8, 13, 23, 59, 59)
    OrderFactory(last_unit=unit, unit=unit, sign_deadline=sign_deadline, signed_at=sign_deadline)
    OrderFactory(last_unit=unit, unit=unit, sign_deadline=sign_deadline, signed_at=sign_deadline + timedelta(seconds=1))
    OrderFactory(last_unit=unit, unit=unit, sign_deadline=sign_deadline, signed_at=None)  # not signed: not counted
    OrderFactory(last_unit=unit, unit=unit, sign_deadline=sign_deadline, signed_at=T + timedelta(hours=1))  # after T
    r = unit_rates(AUGUST)[unit.id]
    assert (r.signed, r.signed_on_time, r.sign_rate_text) == (2, 1, "50.0%")


def test_returns_count_for_the_unit_that_asked_and_rate_over_orders_dispatched_to_it():
    first, second = UnitFactory(), UnitFactory()
    returned = OrderFactory(last_unit=second, unit=second, return_count=1)
    EventFactory(order=returned, to_state=OrderState.RETURN_REQUESTED, actor_unit_id=first.id)
    kept = OrderFactory(last_unit=first, unit=first)
    # asked twice for the same order (the first request rejected): two returns, one order
    EventFactory(order=kept, to_state=OrderState.RETURN_REQUESTED, actor_unit_id=first.id)
    EventFactory(order=kept, to_state=OrderState.RETURN_REQUESTED, actor_unit_id=first.id)
    EventFactory(order=OrderFactory(last_unit=first, unit=first), to_state=OrderState.RETURN_REQUESTED,
                 actor_unit_id=first.id, at=T + timedelta(seconds=1))  # after T
    rates = unit_rates(AUGUST)
    assert (rates[first.id].returns, rates[first.id].returned_orders, rates[first.id].dispatched_to) == (3, 2, 3)
    assert rates[first.id].return_rate_text == "66.7%"
    assert (rates[second.id].returns, rates[second.id].return_rate_text) == (0, "0.0%")


def test_extensions_reopens_and_callback_satisfaction():
    unit = UnitFactory()
    a = closed(DEADLINE, last_unit=unit, unit=unit, extension_count=2, reopen_count=1)
    b = closed(DEADLINE, last_unit=unit, unit=unit, extension_count=1)
    c = closed(DEADLINE, last_unit=unit, unit=unit)
    CallbackFactory(order_id=a.id, result=CallbackResult.UNSATISFIED)
    CallbackFactory(order_id=a.id, result=CallbackResult.BASICALLY_SATISFIED)
    CallbackFactory(order_id=b.id, result=CallbackResult.SATISFIED)
    CallbackFactory(order_id=c.id, result=CallbackResult.SATISFIED, at=T + timedelta(days=1))  # after T
    r = unit_rates(AUGUST)[unit.id]
    assert (r.total, r.extensions, r.reopened, r.reopen_rate_text) == (3, 3, 1, "33.3%")
    assert (r.callbacks, r.satisfied, r.satisfaction_text) == (3, 2, "66.7%")
    city = city_rates(AUGUST)
    assert (city.unit_id, city.total, city.callbacks, city.satisfied) == (None, 3, 3, 2)


def test_daily_trend_fills_every_day_with_orders_and_calls():
    OrderFactory(accepted_at=datetime(2018, 8, 1, 0, 0))
    OrderFactory(accepted_at=datetime(2018, 8, 31, 23, 59, 59))
    OrderFactory(accepted_at=datetime(2018, 8, 31, 8, 0))
    CallFactory(received_at=datetime(2018, 8, 31, 9, 0), outcome=CallOutcome.ORDER)
    points = daily_trend(AUGUST)
    assert len(points) == 31
    assert (points[0].label, points[0].orders, points[0].calls) == ("2018-08-01", 1, 0)
    assert (points[-1].label, points[-1].orders, points[-1].calls) == ("2018-08-31", 2, 1)
    assert sum(p.orders for p in points) == 3


def test_monthly_trend_covers_the_months_up_to_the_period_with_status_as_of_t():
    OrderFactory(accepted_at=datetime(2018, 6, 3, 8, 0), handle_deadline=datetime(2018, 6, 10))
    closed(datetime(2018, 8, 11), accepted_at=datetime(2018, 8, 3, 8, 0))
    points = monthly_trend(AUGUST, months=3)
    assert [p.label for p in points] == ["2018-06", "2018-07", "2018-08"]
    assert [(p.orders, p.overdue_open, p.on_time) for p in points] == [(1, 1, 0), (0, 0, 0), (1, 0, 1)]
    assert [p.rate_text for p in points] == ["0%", "—", "100%"]
    assert [p.label for p in monthly_trend(Period(date(2018, 1, 1), date(2018, 2, 10), T))][:2] == ["2017-03", "2017-04"]


def _unit_with(on_time: int, late: int, group="区县政府", order=0):
    unit = UnitFactory(group=group, display_order=order)
    for _ in range(on_time):
        closed(DEADLINE, last_unit=unit, unit=unit)
    for _ in range(late):
        closed(DEADLINE + timedelta(days=1), last_unit=unit, unit=unit)
    return unit


def test_group_rankings_mark_red_and_black_boards():
    # 12 county units: rates 100% (two of them, the busier first), then falling.
    units = [_unit_with(3, 0, order=1), _unit_with(4, 0, order=2)]
    units += [_unit_with(10 - i, i, order=10 + i) for i in range(1, 11)]
    city = _unit_with(1, 0, group="市直部门", order=50)
    lonely_in_progress = UnitFactory(group="市直部门", display_order=60)
    OrderFactory(last_unit=lonely_in_progress, unit=lonely_in_progress, handle_deadline=datetime(2018, 12, 1))
    rankings = group_rankings(AUGUST)
    assert list(rankings) == ["区县政府", "市直部门"]
    county = rankings["区县政府"]
    assert [rr.row.unit_id for rr in county[:2]] == [units[1].id, units[0].id]
    assert [rr.rank for rr in county] == list(range(1, 13))
    assert [rr.mark for rr in county] == [RED] * 5 + [None] * 2 + [BLACK] * 5
    # one rated unit: no boards; a unit with nothing to rate is listed unranked
    assert [(rr.row.unit_id, rr.rank, rr.mark) for rr in rankings["市直部门"]] == [
        (city.id, 1, None), (lonely_in_progress.id, None, None)]
    rr, ranked = unit_rank(AUGUST, units[0].id)
    assert (rr.rank, ranked) == (2, 12)
    assert unit_rank(AUGUST, UnitFactory().id) is None


def test_a_unit_at_the_best_rate_is_never_on_the_black_board():
    for i in range(4):
        _unit_with(2, 0, order=i)
    board = group_rankings(AUGUST, unit_rows(AUGUST))["区县政府"]
    # All four tie (same rate, same total): they share 1st place and so 红榜, and nobody is blamed.
    assert [(rr.rank, rr.tied, rr.mark) for rr in board] == [(1, True, RED)] * 4


def test_units_with_the_same_rate_and_total_share_their_rank_and_the_board():
    from portal.stats.table import UnitRow
    from portal.stats.trends import BLACK, RED, rank_group

    def row(uid, on_time, total):
        return UnitRow(uid, f"单位{uid}", "市直部门", uid, total, {}, on_time, total - on_time, 0, 0)

    # Two units tie for 1st; n = 5 → 2 places on each board; the two at the bottom tie as well.
    ranked = rank_group([row(1, 10, 10), row(2, 10, 10), row(3, 9, 10), row(4, 5, 10), row(5, 5, 10)])
    assert [(r.row.unit_id, r.rank, r.tied, r.mark) for r in ranked] == [
        (1, 1, True, RED), (2, 1, True, RED), (3, 3, False, None), (4, 4, True, BLACK), (5, 4, True, BLACK)]
    # A tie across the edge of 红榜 puts both on it.
    ranked = rank_group([row(1, 10, 10), row(2, 9, 10), row(3, 9, 10), row(4, 5, 10)])
    assert [(r.rank, r.mark) for r in ranked] == [(1, RED), (2, RED), (2, RED), (4, BLACK)]
