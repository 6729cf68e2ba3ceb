"""DOMAIN.md §4 at its boundaries: deadlines, as-of time, periods, returns, undispatched, merged."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest

from portal.orders.enums import OrderKind, OrderState
from portal.stats.queries import KINDS, Period, unit_table
from tests.factories import UnitFactory
from tests.stats.factories import OrderFactory, closed

DEADLINE = datetime(2018, 8, 20, 23, 59, 59)
AUGUST = dict(start=date(2018, 8, 1), end=date(2018, 8, 31))


def august(as_of=datetime(2018, 9, 29, 12, 0)) -> Period:
    return Period(as_of=as_of, **AUGUST)


def status_of(period: Period | None = None) -> tuple[int, int, int, int]:
    t = unit_table(period or august()).total
    return t.on_time, t.late, t.overdue_open, t.in_progress


def test_completed_exactly_at_the_deadline_is_on_time():
    closed(DEADLINE)
    assert status_of() == (1, 0, 0, 0)


def test_completed_one_second_after_the_deadline_is_late():
    closed(DEADLINE + timedelta(seconds=1))
    assert status_of() == (0, 1, 0, 0)


def test_open_order_is_in_progress_at_its_deadline_and_overdue_a_second_later():
    OrderFactory()
    assert status_of(august(as_of=DEADLINE)) == (0, 0, 0, 1)
    assert status_of(august(as_of=DEADLINE + timedelta(seconds=1))) == (0, 0, 1, 0)


def test_completion_after_the_as_of_time_counts_as_open():
    done = datetime(2018, 8, 15, 10, 0)
    closed(done)
    assert status_of(august(as_of=done)) == (1, 0, 0, 0)
    assert status_of(august(as_of=done - timedelta(seconds=1))) == (0, 0, 0, 1)
    # completed late, but T is before completion and after the deadline: 逾期未办结
    closed(DEADLINE + timedelta(days=2))
    assert status_of(august(as_of=DEADLINE + timedelta(days=1))) == (1, 0, 1, 0)


def test_an_approved_extension_moves_the_deadline():
    # The handle deadline stored on the order includes approved extensions.
    extended = DEADLINE + timedelta(days=7)
    closed(DEADLINE + timedelta(days=3), handle_deadline=extended, extension_count=1)
    assert status_of() == (1, 0, 0, 0)


def test_a_returned_order_counts_for_the_last_unit_once_redispatched_and_waits_apart_until_then():
    first, second = UnitFactory(), UnitFactory()
    OrderFactory(last_unit=second, unit=second, return_count=1)
    # A returned order waiting for re-dispatch is 待派单: the centre agreed it was not the unit's duty.
    OrderFactory(last_unit=first, unit=None, state=OrderState.PENDING, return_count=1)
    table = unit_table(august())
    assert {r.short_name: r.total for r in table.rows} == {second.short_name: 1}
    assert table.undispatched == 1


def test_undispatched_orders_are_reported_apart():
    OrderFactory()
    OrderFactory(last_unit=None, unit=None, state=OrderState.PENDING, dispatched_at=None, handle_deadline=None)
    table = unit_table(august())
    assert table.total.total == 1
    assert table.undispatched == 1
    assert all(r.unit_id is not None for r in table.rows)


def test_merged_orders_are_left_out():
    OrderFactory()
    OrderFactory(state=OrderState.MERGED)
    OrderFactory(state=OrderState.MERGED, last_unit=None, unit=None)
    table = unit_table(august())
    assert (table.total.total, table.undispatched) == (1, 0)


def test_an_order_without_deadline_is_in_progress_until_completed_then_on_time():
    OrderFactory(handle_deadline=None)
    closed(datetime(2018, 8, 30, 10, 0), handle_deadline=None)
    assert status_of() == (1, 0, 0, 1)


@pytest.mark.parametrize("accepted_at, inside", [
    (datetime(2018, 8, 1, 0, 0, 0), True),
    (datetime(2018, 7, 31, 23, 59, 59), False),
    (datetime(2018, 8, 31, 23, 59, 59), True),
    (datetime(2018, 8, 31, 23, 59, 59, 500000), True),
    (datetime(2018, 9, 1, 0, 0, 0), False),
])
def test_period_boundaries_by_accepted_at(accepted_at, inside):
    OrderFactory(accepted_at=accepted_at)
    assert unit_table(august()).total.total == (1 if inside else 0)


def test_rows_order_by_total_then_display_order_and_count_each_kind():
    late_in_list = UnitFactory(display_order=30)
    early = UnitFactory(display_order=10)
    busy = UnitFactory(display_order=40)
    for unit in (late_in_list, early):
        OrderFactory(last_unit=unit, unit=unit, kind=OrderKind.CONSULT)
    for kind in (OrderKind.PRAISE, OrderKind.REPORT, OrderKind.REPORT):
        OrderFactory(last_unit=busy, unit=busy, kind=kind)
    table = unit_table(august())
    assert [r.short_name for r in table.rows] == [busy.short_name, early.short_name, late_in_list.short_name]
    assert list(table.rows[0].by_kind) == list(KINDS)
    assert table.rows[0].by_kind == {k: {OrderKind.PRAISE: 1, OrderKind.REPORT: 2}.get(k, 0) for k in KINDS}
    assert table.total.by_kind[OrderKind.CONSULT] == 2
    assert (table.total.short_name, table.total.unit_id) == ("合计", None)


def test_rate_excludes_in_progress_and_rounds_half_up():
    unit = UnitFactory()
    for _ in range(7):
        closed(DEADLINE, last_unit=unit, unit=unit)
    closed(DEADLINE + timedelta(hours=1), last_unit=unit, unit=unit)
    OrderFactory(last_unit=unit, unit=unit, handle_deadline=datetime(2018, 10, 1))  # in progress
    row = unit_table(august()).rows[0]
    assert (row.total, row.on_time, row.late, row.in_progress) == (9, 7, 1, 1)
    assert row.rate == Fraction(7, 8)
    assert row.rate_text == "88%"  # 87.5 rounds half up


def test_rate_is_a_dash_when_everything_is_in_progress():
    OrderFactory(handle_deadline=datetime(2018, 12, 1))
    row = unit_table(august()).rows[0]
    assert row.rate is None and row.rate_text == "—"
    empty = unit_table(Period(date(2018, 1, 1), date(2018, 1, 31), datetime(2018, 9, 1)))
    assert (empty.rows, empty.total.total, empty.total.rate_text) == ([], 0, "—")


def test_period_rejects_an_end_before_its_start():
    with pytest.raises(ValueError):
        Period(date(2018, 8, 2), date(2018, 8, 1), datetime(2018, 9, 1))


def test_last_month_is_the_calendar_month_before():
    p = Period.last_month(datetime(2018, 3, 5, 8, 0))
    assert (p.start, p.end, p.label) == (date(2018, 2, 1), date(2018, 2, 28), "2018年2月")
    p = Period.last_month(datetime(2019, 1, 31, 8, 0))
    assert (p.start, p.end) == (date(2018, 12, 1), date(2018, 12, 31))


def test_sort_rows_by_a_column_keeps_units_without_rate_last():
    from portal.stats.queries import sort_rows

    a, b, c = UnitFactory(display_order=1), UnitFactory(display_order=2), UnitFactory(display_order=3)
    closed(DEADLINE, last_unit=a, unit=a)
    closed(DEADLINE + timedelta(seconds=1), last_unit=a, unit=a)
    for _ in range(3):
        closed(DEADLINE, last_unit=b, unit=b)
    OrderFactory(last_unit=c, unit=c, handle_deadline=datetime(2018, 12, 1))  # no rate yet
    rows = unit_table(august()).rows
    names = lambda rs: [r.unit_id for r in rs]  # noqa: E731
    assert names(rows) == [b.id, a.id, c.id]
    assert names(sort_rows(rows, "rate", descending=False)) == [a.id, b.id, c.id]
    assert names(sort_rows(rows, "rate", descending=True)) == [b.id, a.id, c.id]
    assert names(sort_rows(rows, "name", descending=True)) == [c.id, b.id, a.id]
    assert names(sort_rows(rows, "late")) == [a.id, b.id, c.id]
    assert names(sort_rows(rows, "in_progress", descending=False)) == [b.id, a.id, c.id]


def test_orders_and_calls_that_arrive_after_the_as_of_time_do_not_count_yet():
    from portal.stats.queries import call_totals
    from tests.stats.factories import CallFactory

    t = datetime(2018, 8, 15, 12, 0)
    OrderFactory(accepted_at=t)
    OrderFactory(accepted_at=t + timedelta(seconds=1))
    CallFactory(received_at=t)
    CallFactory(received_at=t + timedelta(seconds=1))
    assert unit_table(august(as_of=t)).total.total == 1
    assert call_totals(august(as_of=t)).calls == 1
    assert unit_table(august()).total.total == 2
    assert call_totals(august()).calls == 2
