"""Sign and handle deadlines of orders (DOMAIN.md §3), laid out on the working-day calendar.

"N working days after D" ends at 23:59:59 of the N-th working day strictly after the date of D.
Urgent (紧急) orders run on the clock: sign within 30 minutes, handle within 24 hours (admin-editable).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.calendar.deadlines import end_of_working_day_after, working_seconds
from portal.calendar.workdays import nth_working_day_before
from portal.orders.conditions import DUE_SOON, is_due_soon, is_overdue
from portal.orders.enums import OrderKind
from portal.orders.limits import current_limits


def sign_deadline(dispatched_at: datetime, urgent: bool) -> datetime:
    limits = current_limits()
    if urgent:
        return dispatched_at + timedelta(minutes=limits.urgent_sign_minutes)
    return end_of_working_day_after(dispatched_at.date(), limits.sign_working_days)


def handle_days(kind: OrderKind) -> int:
    return current_limits().handle_days[OrderKind(kind)]


def handle_deadline(started_at: datetime, kind: OrderKind, urgent: bool) -> datetime:
    """The handle deadline of a clock started at `started_at` (a dispatch, a reopen, a rejected reply)."""
    limits = current_limits()
    if urgent:
        return started_at + timedelta(hours=limits.urgent_handle_hours)
    return end_of_working_day_after(started_at.date(), limits.handle_days[OrderKind(kind)])


def co_task_deadline(lead_deadline: datetime, at: datetime) -> datetime:
    """A 协办 part's default deadline: the setting's working days before the lead's handle deadline, at the
    same time of day; the lead's own deadline when that day has already passed (never after the lead's)."""
    days = current_limits().co_task_days_before
    deadline = datetime.combine(nth_working_day_before(lead_deadline.date(), days), lead_deadline.time())
    return deadline if deadline > at else lead_deadline


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


def _span(seconds: int, day_word: str, prefix: str) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{prefix}{days}{day_word}" + (f"{hours}小时" if hours else "")
    if hours:
        return f"{prefix}{hours}小时"
    return f"{prefix}{rest // 60}分钟"


def time_left(deadline: datetime, at: datetime) -> TimeLeft:
    """Remaining time to `deadline` at `at`; overdue and due soon as portal.orders.conditions defines them."""
    if is_overdue(deadline, at):
        seconds = int((at - deadline).total_seconds())
        days, rest = divmod(seconds, 86400)
        return TimeLeft(True, False, days, rest // 3600, _span(seconds, "天", "已逾期"))
    wall = int((deadline - at).total_seconds())
    # Up to the end of the deadline second: 23:59:59 counts as the whole day.
    working = working_seconds(at, deadline + timedelta(seconds=1)) if wall >= DUE_SOON.total_seconds() else 0
    if working >= 86400:
        days, rest = divmod(working, 86400)
        return TimeLeft(False, False, days, rest // 3600, _span(working, "个工作日", "剩余"))
    return TimeLeft(False, is_due_soon(deadline, at), 0, wall // 3600, _span(wall, "天", "剩余"))
