"""Calendar arrangements entered by admins, and the admin-editable time limits.

chinesecalendar knows the State Council's arrangement up to its last release (2026). For a later
year an admin enters the arrangement: CalendarYear marks the year as entered, CalendarDay rows are
the exceptions to Mon–Fri (holidays on weekdays, 调休 working weekend days). An entered year wins
over the package.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import now
from portal.extensions import db


class CalendarYear(db.Model):
    """A year whose official arrangement an admin has entered."""

    __tablename__ = "calendar_year"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")  # e.g. 国办发明电〔2026〕X号
    updated_at: Mapped[datetime] = mapped_column(default=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    days: Mapped[list["CalendarDay"]] = relationship(
        back_populates="calendar_year", order_by="CalendarDay.day", cascade="all, delete-orphan"
    )


class CalendarDay(db.Model):
    """One day that differs from Mon–Fri: a holiday (is_working False) or a 调休 working weekend day."""

    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_year_id: Mapped[int] = mapped_column(ForeignKey("calendar_year.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(unique=True)
    is_working: Mapped[bool]
    name: Mapped[str] = mapped_column(String(30), default="")  # 春节, 国庆节, 春节调休 …

    calendar_year: Mapped[CalendarYear] = relationship(back_populates="days")


class TimeLimit(db.Model):
    """One admin-edited time limit (key → value); missing keys take DOMAIN.md §3's defaults."""

    __tablename__ = "time_limit"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    value: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
