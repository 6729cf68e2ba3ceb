"""Working days: the official Chinese calendar (statutory holidays and 调休 working weekends).

Sources, first match wins: an arrangement an admin entered for the year (CalendarYear/CalendarDay),
then the chinesecalendar package (2004–2026), then Mon–Fri for a year nobody has entered yet.
Admin overrides are read once per app context (one request, one CLI run) and cached in `g`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from flask import g, has_app_context

_CACHE_KEY = "_calendar_overrides"


@dataclass(frozen=True)
class Overrides:
    years: frozenset[int] = frozenset()
    days: dict[date, bool] = field(default_factory=dict)


@lru_cache(maxsize=None)
def official_working_day(d: date) -> bool | None:
    """The package's answer, or None for a year it does not know."""
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        return None


def package_knows(year: int) -> bool:
    return official_working_day(date(year, 6, 30)) is not None


def _load_overrides() -> Overrides:
    from sqlalchemy import select

    from portal.calendar.models import CalendarDay, CalendarYear
    from portal.extensions import db

    years = frozenset(db.session.scalars(select(CalendarYear.year)))
    days = {day: working for day, working in db.session.execute(select(CalendarDay.day, CalendarDay.is_working))}
    return Overrides(years, days)


def overrides() -> Overrides:
    if not has_app_context():
        return Overrides()
    cached = g.get(_CACHE_KEY)
    if cached is None:
        cached = _load_overrides()
        setattr(g, _CACHE_KEY, cached)
    return cached


def invalidate_cache() -> None:
    """Forget the cached admin arrangements (after an admin changed one)."""
    if has_app_context():
        g.pop(_CACHE_KEY, None)


def entered_years() -> frozenset[int]:
    return overrides().years


def has_arrangement(year: int) -> bool:
    """True when the official arrangement of `year` is known (entered by an admin or in the package)."""
    return year in overrides().years or package_knows(year)


def is_working_day(d: date) -> bool:
    known = overrides()
    if d.year in known.years:
        return known.days.get(d, d.weekday() < 5)
    official = official_working_day(d)
    if official is not None:
        return official
    return d.weekday() < 5


def nth_working_day_after(d: date, n: int) -> date:
    """The n-th working day strictly after d (n = 0 gives d itself)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day = d
    while n:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def nth_working_day_before(d: date, n: int) -> date:
    """The n-th working day strictly before d (n = 0 gives d itself)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day = d
    while n:
        day -= timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days lie in (start, end]."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
