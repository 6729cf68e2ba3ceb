"""Sign and handle deadlines (DOMAIN.md §3) and the remaining time shown on lists and order pages.

"N working days after D" ends at 23:59:59 of the N-th working day strictly after the date of D.
Urgent (紧急) orders run on the clock: sign within 30 minutes, handle within 24 hours (admin-editable).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from portal.calendar.limits import current_limits
from portal.calendar.workdays import is_working_day, nth_working_day_after
from portal.orders.enums import OrderKind

END_OF_DAY = time(23, 59, 59)
DUE_SOON = timedelta(hours=24)


def end_of_working_day_after(day: date, n: int) -> datetime:
    return datetime.combine(nth_working_day_after(day, n), END_OF_DAY)


def sign_deadline(dispatched_at: datetime, urgent: bool) -> datetime:
    limits = current_limits()
    if urgent:
        return dispatched_at + timedelta(minutes=limits.urgent_sign_minutes)
    return end_of_working_day_after(dispatched_at.date(), limits.sign_working_days)


def handle_days(kind: OrderKind) -> int:
    return current_limits().handle_days[OrderKind(kind)]


def handle_deadline(dispatched_at: datetime, kind: OrderKind, urgent: bool) -> datetime:
    limits = current_limits()
    if urgent:
        return dispatched_at + timedelta(hours=limits.urgent_handle_hours)
    return end_of_working_day_after(dispatched_at.date(), limits.handle_days[OrderKind(kind)])


def extend_deadline(deadline: datetime, working_days: int) -> datetime:
    """Move a deadline by working days, keeping its time of day (23:59:59 for ordinary deadlines)."""
    return datetime.combine(nth_working_day_after(deadline.date(), working_days), deadline.time())


@dataclass(frozen=True)
class TimeLeft:
    """Remaining (or overdue) time. Not overdue: working_days/hours of working time left (or plain hours
    when under 24 hours). Overdue: working_days/hours are the calendar days and hours past the deadline."""

    overdue: bool
    due_soon: bool
    working_days: int
    hours: int
    text: str

    @property
    def css(self) -> str:
        return "danger" if self.overdue else "warning" if self.due_soon else "secondary"


def _working_seconds(start: datetime, end: datetime) -> int:
    """Seconds of [start, end) that fall on working days."""
    total, cursor = 0, start
    while cursor < end:
        next_midnight = datetime.combine(cursor.date() + timedelta(days=1), time())
        stop = min(next_midnight, end)
        if is_working_day(cursor.date()):
            total += int((stop - cursor).total_seconds())
        cursor = stop
    return total


def _span(seconds: int, day_word: str, prefix: str) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{prefix}{days}{day_word}" + (f"{hours}小时" if hours else "")
    if hours:
        return f"{prefix}{hours}小时"
    return f"{prefix}{rest // 60}分钟"


def time_left(deadline: datetime, at: datetime) -> TimeLeft:
    if at > deadline:
        seconds = int((at - deadline).total_seconds())
        days, rest = divmod(seconds, 86400)
        return TimeLeft(True, False, days, rest // 3600, _span(seconds, "天", "已逾期"))
    wall = int((deadline - at).total_seconds())
    # Up to the end of the deadline second: 23:59:59 counts as the whole day.
    working = _working_seconds(at, deadline + timedelta(seconds=1)) if wall >= DUE_SOON.total_seconds() else 0
    if working >= 86400:
        days, rest = divmod(working, 86400)
        return TimeLeft(False, False, days, rest // 3600, _span(working, "个工作日", "剩余"))
    due_soon = wall < DUE_SOON.total_seconds()
    return TimeLeft(False, due_soon, 0, wall // 3600, _span(wall, "天", "剩余"))
