"""Order time limits (DOMAIN.md §3 defaults, editable by admins), read once per app context.

Stored in the calendar's key → value table `time_limit`; the rules they feed are the orders'.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import g, has_app_context

from portal.orders.enums import OrderKind

_CACHE_KEY = "_time_limits"

DEFAULT_HANDLE_DAYS = {
    OrderKind.CONSULT: 3,
    OrderKind.HELP: 5,
    OrderKind.COMPLAINT: 10,
    OrderKind.REPORT: 10,
    OrderKind.SUGGESTION: 10,
    OrderKind.PRAISE: 3,
}
DEFAULT_SIGN_WORKING_DAYS = 1
DEFAULT_URGENT_SIGN_MINUTES = 30
DEFAULT_URGENT_HANDLE_HOURS = 24
# A 协办 part is due this many working days before the lead's handle deadline (issue 12).
DEFAULT_CO_TASK_DAYS_BEFORE = 2
# Issue 13: 申诉 within N working days of the judgment; 问题工单 after N reopens or N units.
DEFAULT_APPEAL_WINDOW_DAYS = 3
DEFAULT_PROBLEM_REOPENS = 3
DEFAULT_PROBLEM_UNITS = 3
ESCALATION_KEYS = ("appeal_window_days", "problem_reopens", "problem_units")


def handle_key(kind: OrderKind) -> str:
    return f"handle_days.{kind.value}"


@dataclass(frozen=True)
class Limits:
    handle_days: dict[OrderKind, int] = field(default_factory=lambda: dict(DEFAULT_HANDLE_DAYS))
    sign_working_days: int = DEFAULT_SIGN_WORKING_DAYS
    urgent_sign_minutes: int = DEFAULT_URGENT_SIGN_MINUTES
    urgent_handle_hours: int = DEFAULT_URGENT_HANDLE_HOURS
    co_task_days_before: int = DEFAULT_CO_TASK_DAYS_BEFORE
    appeal_window_days: int = DEFAULT_APPEAL_WINDOW_DAYS
    problem_reopens: int = DEFAULT_PROBLEM_REOPENS
    problem_units: int = DEFAULT_PROBLEM_UNITS

    def as_values(self) -> dict[str, int]:
        values = {handle_key(kind): days for kind, days in self.handle_days.items()}
        values.update(sign_working_days=self.sign_working_days, urgent_sign_minutes=self.urgent_sign_minutes,
                      urgent_handle_hours=self.urgent_handle_hours, co_task_days_before=self.co_task_days_before)
        values.update({key: getattr(self, key) for key in ESCALATION_KEYS})
        return values


def _from_values(values: dict[str, int]) -> Limits:
    defaults = Limits()
    return Limits(
        handle_days={kind: values.get(handle_key(kind), days) for kind, days in defaults.handle_days.items()},
        sign_working_days=values.get("sign_working_days", defaults.sign_working_days),
        urgent_sign_minutes=values.get("urgent_sign_minutes", defaults.urgent_sign_minutes),
        urgent_handle_hours=values.get("urgent_handle_hours", defaults.urgent_handle_hours),
        co_task_days_before=values.get("co_task_days_before", defaults.co_task_days_before),
        **{key: values.get(key, getattr(defaults, key)) for key in ESCALATION_KEYS},
    )


def _load() -> Limits:
    from sqlalchemy import select

    from portal.calendar.models import TimeLimit
    from portal.extensions import db

    return _from_values({key: value for key, value in db.session.execute(select(TimeLimit.key, TimeLimit.value))})


def current_limits() -> Limits:
    if not has_app_context():
        return Limits()
    cached = g.get(_CACHE_KEY)
    if cached is None:
        cached = _load()
        setattr(g, _CACHE_KEY, cached)
    return cached


def invalidate_cache() -> None:
    if has_app_context():
        g.pop(_CACHE_KEY, None)


def save_limits(values: dict[str, int], actor) -> list[str]:
    """Store the given limits; return the keys that changed. Flushes, never commits."""
    from sqlalchemy import select

    from portal.calendar.models import TimeLimit
    from portal.clock import now
    from portal.extensions import db

    current = current_limits().as_values()
    rows = {row.key: row for row in db.session.scalars(select(TimeLimit))}
    changed = []
    for key, value in values.items():
        if key not in current:
            raise KeyError(key)
        if current[key] == value and key in rows:
            continue
        if current[key] != value:
            changed.append(key)
        row = rows.get(key) or TimeLimit(key=key, value=value)
        row.value, row.updated_at, row.updated_by_id = value, now(), getattr(actor, "id", None)
        db.session.add(row)
    db.session.flush()
    invalidate_cache()
    return changed
