"""Admin-entered holiday arrangements (State Council 节假日安排) for years the package does not know.

A year is entered as holiday spans (date ranges with a name) and 调休 working weekend days. What the
change means for stored order deadlines is decided by the orders feature (portal.orders.recompute).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from portal.calendar import workdays
from portal.calendar.models import CalendarDay, CalendarYear
from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db

DEFAULT_WORKDAY_NAME = "调休上班"


@dataclass(frozen=True)
class HolidaySpan:
    start: date
    end: date
    name: str

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class WorkdaySwap:
    day: date
    name: str = DEFAULT_WORKDAY_NAME


@dataclass
class Arrangement:
    year: int
    holidays: list[HolidaySpan] = field(default_factory=list)
    workdays: list[WorkdaySwap] = field(default_factory=list)
    note: str = ""

    def problems(self) -> list[str]:
        """Consistency problems in Chinese (the form reports them; the service refuses them)."""
        found, seen = [], {}
        for span in self.holidays:
            if span.end < span.start:
                found.append(f"“{span.name}”的结束日期早于开始日期。")
            for d in span.days():
                if d.year != self.year:
                    found.append(f"“{span.name}”的日期 {d:%Y-%m-%d} 不在 {self.year} 年内。")
                    break
                if d in seen:
                    found.append(f"{d:%Y-%m-%d} 同时属于“{seen[d]}”和“{span.name}”。")
                seen[d] = span.name
        for swap in self.workdays:
            if swap.day.year != self.year:
                found.append(f"调休上班日 {swap.day:%Y-%m-%d} 不在 {self.year} 年内。")
            elif swap.day.weekday() < 5:
                found.append(f"调休上班日 {swap.day:%Y-%m-%d} 不是周六或周日（工作日本来就上班）。")
            if swap.day in seen:
                found.append(f"{swap.day:%Y-%m-%d} 既是假日（{seen[swap.day]}）又是调休上班日。")
            seen[swap.day] = swap.name
        return found

    def day_rows(self) -> dict[date, tuple[bool, str]]:
        rows = {}
        for span in self.holidays:
            for d in span.days():  # weekend days inside a span are stored too, with the holiday's name
                rows[d] = (False, span.name)
        for swap in self.workdays:
            rows[swap.day] = (True, swap.name)
        return rows


def days_of_year(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def year_status(year: int) -> dict[date, bool]:
    return {d: workdays.is_working_day(d) for d in days_of_year(year)}


def load_arrangement(year: int) -> Arrangement | None:
    """The entered arrangement of a year, holidays grouped into spans of consecutive days with one name."""
    record = db.session.scalar(select(CalendarYear).where(CalendarYear.year == year))
    if record is None:
        return None
    holidays: list[HolidaySpan] = []
    swaps = []
    for row in record.days:
        if row.is_working:
            swaps.append(WorkdaySwap(row.day, row.name))
        elif holidays and holidays[-1].name == row.name and holidays[-1].end + timedelta(days=1) == row.day:
            holidays[-1] = HolidaySpan(holidays[-1].start, row.day, row.name)
        else:
            holidays.append(HolidaySpan(row.day, row.day, row.name))
    return Arrangement(year, holidays, swaps, record.note)


def entered_arrangements() -> list[Arrangement]:
    years = db.session.scalars(select(CalendarYear.year).order_by(CalendarYear.year))
    return [load_arrangement(y) for y in years]


def changed_days(arrangement: Arrangement) -> list[date]:
    """The days whose working status entering `arrangement` would change."""
    before = year_status(arrangement.year)
    rows = arrangement.day_rows()
    after = {d: rows[d][0] if d in rows else d.weekday() < 5 for d in before}
    return sorted(d for d in before if before[d] != after[d])


def days_changed_by_deleting(year: int) -> list[date]:
    """The days whose working status deleting the year's entered arrangement would change."""
    before = year_status(year)
    after = {d: (workdays.official_working_day(d) if workdays.official_working_day(d) is not None
                 else d.weekday() < 5) for d in before}
    return sorted(d for d in before if before[d] != after[d])


def store_arrangement(arrangement: Arrangement, actor) -> None:
    """Enter or replace a year's arrangement. Flushes, never commits. Stored deadlines that depend on the
    calendar are the orders feature's (portal.orders.recompute.save_arrangement does both)."""
    problems = arrangement.problems()
    if problems:
        raise RuleViolation(problems[0])
    record = db.session.scalar(select(CalendarYear).where(CalendarYear.year == arrangement.year))
    if record is None:
        record = CalendarYear(year=arrangement.year)
        db.session.add(record)
    else:
        record.days.clear()
        db.session.flush()  # the unique day rows go before the new ones come
    record.note, record.updated_at, record.updated_by_id = arrangement.note, now(), getattr(actor, "id", None)
    for d, (working, name) in sorted(arrangement.day_rows().items()):
        record.days.append(CalendarDay(day=d, is_working=working, name=name))
    db.session.flush()
    workdays.invalidate_cache()


def remove_arrangement(year: int) -> None:
    """Remove an entered arrangement: the year falls back to the package (if it knows it) or Mon–Fri."""
    record = db.session.scalar(select(CalendarYear).where(CalendarYear.year == year))
    if record is None:
        raise RuleViolation(f"{year} 年没有录入的节假日安排。")
    db.session.delete(record)
    db.session.flush()
    workdays.invalidate_cache()


def missing_years(today: date, lead_days: int = 60) -> list[int]:
    """Years whose arrangement is unknown and needed now: this year, and next year within `lead_days` of it."""
    years = [today.year]
    if (date(today.year + 1, 1, 1) - today).days <= lead_days:
        years.append(today.year + 1)
    return [y for y in years if not workdays.has_arrangement(y)]
