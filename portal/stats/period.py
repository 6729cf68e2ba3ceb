"""The period [start, end] (dates, Asia/Shanghai) and the as-of time T of every figure."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from portal.clock import now


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    as_of: datetime

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("结束日期不能早于开始日期。")

    @property
    def start_at(self) -> datetime:
        """00:00:00 of the first day (inclusive)."""
        return datetime.combine(self.start, time.min)

    @property
    def end_before(self) -> datetime:
        """00:00:00 of the day after the last day (exclusive): the same as ≤ 23:59:59 of `end`,
        and safe for any fractional seconds."""
        return datetime.combine(self.end + timedelta(days=1), time.min)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def label(self) -> str:
        if self.start.day == 1 and self.end == _month_end(self.start):
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    @classmethod
    def month(cls, year: int, month: int, as_of: datetime | None = None) -> "Period":
        first = date(year, month, 1)
        return cls(first, _month_end(first), as_of or now())

    @classmethod
    def last_month(cls, as_of: datetime | None = None) -> "Period":
        """The calendar month before as_of's month (the dashboards' and circulars' default)."""
        as_of = as_of or now()
        prev = as_of.date().replace(day=1) - timedelta(days=1)
        return cls.month(prev.year, prev.month, as_of)


def _month_end(first: date) -> date:
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)
