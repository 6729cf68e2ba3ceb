"""The working-day calendar: the official calendar, admin arrangements, the Mon–Fri fallback."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.calendar.arrangements import Arrangement, HolidaySpan, WorkdaySwap
from portal.orders.recompute import save_arrangement
from portal.calendar.workdays import (
    has_arrangement, is_working_day, nth_working_day_after, package_knows, working_days_between,
)


def test_national_day_2018_and_its_adjusted_weekend():
    # 2018-09-29 (Sat) and 09-30 (Sun) were working days; 10-01…10-07 the National Day holiday.
    assert is_working_day(date(2018, 9, 28))
    assert is_working_day(date(2018, 9, 29)) and date(2018, 9, 29).weekday() == 5
    assert is_working_day(date(2018, 9, 30)) and date(2018, 9, 30).weekday() == 6
    assert not any(is_working_day(date(2018, 10, d)) for d in range(1, 8))
    assert is_working_day(date(2018, 10, 8))
    assert nth_working_day_after(date(2018, 9, 28), 1) == date(2018, 9, 29)
    assert nth_working_day_after(date(2018, 9, 28), 2) == date(2018, 9, 30)
    assert nth_working_day_after(date(2018, 9, 28), 3) == date(2018, 10, 8)
    assert working_days_between(date(2018, 9, 28), date(2018, 10, 8)) == 3


def test_spring_festival_2026():
    # 2026: 02-15…02-23 off; Sat 02-14 and Sat 02-28 worked.
    assert all(not is_working_day(date(2026, 2, d)) for d in range(15, 24))
    assert is_working_day(date(2026, 2, 14)) and date(2026, 2, 14).weekday() == 5
    assert is_working_day(date(2026, 2, 28)) and date(2026, 2, 28).weekday() == 5
    assert nth_working_day_after(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert nth_working_day_after(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_a_year_nobody_entered_falls_back_to_monday_to_friday(package_years):
    """2026 is a year the package knows; made unknown here, its Spring Festival weekdays count as working."""
    assert not is_working_day(date(2026, 2, 16))  # Monday of the 2026 Spring Festival holiday
    package_years(range(2004, 2026))
    assert not package_knows(2026) and not has_arrangement(2026)
    assert is_working_day(date(2026, 2, 16))
    assert is_working_day(date(2026, 2, 20)) and not is_working_day(date(2026, 2, 14))  # Sat 02-14 was worked
    assert nth_working_day_after(date(2026, 2, 13), 1) == date(2026, 2, 16)


def test_an_entered_2027_arrangement_is_used(login_as):
    admin = login_as("admin")
    arrangement = Arrangement(2027, [HolidaySpan(date(2027, 1, 1), date(2027, 1, 3), "元旦"),
                                     HolidaySpan(date(2027, 2, 6), date(2027, 2, 13), "春节")],
                              [WorkdaySwap(date(2027, 2, 14), "春节调休")])
    outcome = save_arrangement(arrangement, admin)
    assert has_arrangement(2027)
    assert not is_working_day(date(2027, 1, 1))
    assert is_working_day(date(2027, 2, 14)) and date(2027, 2, 14).weekday() == 6
    assert not is_working_day(date(2027, 2, 8))  # a Monday inside 春节
    assert nth_working_day_after(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert nth_working_day_after(date(2027, 2, 5), 1) == date(2027, 2, 14)
    # Changed days: 01-01 (Fri) and the five weekdays 02-08…02-12 stop working, 02-14 starts.
    assert outcome.changed_days == [date(2027, 1, 1), *(date(2027, 2, d) for d in range(8, 13)), date(2027, 2, 14)]


_days = st.dates(min_value=date(2004, 1, 1), max_value=date(2028, 6, 30))


@settings(max_examples=200, deadline=None)
@given(d=_days, n=st.integers(min_value=0, max_value=30))
def test_nth_working_day_after_is_strictly_increasing_and_lands_on_working_days(d, n):
    first, second = nth_working_day_after(d, n), nth_working_day_after(d, n + 1)
    assert second > first
    assert is_working_day(second)
    assert working_days_between(d, second) == n + 1
    # Nothing between the two is a working day.
    assert not any(is_working_day(first + timedelta(days=i)) for i in range(1, (second - first).days))


@settings(max_examples=100, deadline=None)
@given(d=_days, a=st.integers(min_value=0, max_value=15), b=st.integers(min_value=0, max_value=15))
def test_working_days_compose(d, a, b):
    assert nth_working_day_after(nth_working_day_after(d, a), b) == nth_working_day_after(d, a + b)
