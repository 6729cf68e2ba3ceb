"""Deadlines and working time on the working-day calendar.

"N working days after D" ends at 23:59:59 of the N-th working day strictly after the date of D. What an
order's deadlines are (by kind, urgent clocks) is the orders feature's business (portal.orders.deadlines).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from portal.calendar.workdays import is_working_day, nth_working_day_after

END_OF_DAY = time(23, 59, 59)


def end_of_working_day_after(day: date, n: int) -> datetime:
    return datetime.combine(nth_working_day_after(day, n), END_OF_DAY)


def extend_deadline(deadline: datetime, working_days: int) -> datetime:
    """Move a deadline by working days, keeping its time of day (23:59:59 for ordinary deadlines)."""
    return datetime.combine(nth_working_day_after(deadline.date(), working_days), deadline.time())


def working_seconds(start: datetime, end: datetime) -> int:
    """Seconds of [start, end) that fall on working days."""
    total, cursor = 0, start
    while cursor < end:
        next_midnight = datetime.combine(cursor.date() + timedelta(days=1), time())
        stop = min(next_midnight, end)
        if is_working_day(cursor.date()):
            total += int((stop - cursor).total_seconds())
        cursor = stop
    return total


