"""The period picker: 开始日期, 结束日期, 统计截止时间 (and the unit table's sort), read from the query string."""
from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, Optional, ValidationError

from portal.stats.period import Period
from portal.stats.table import SORT_KEYS

MAX_DAYS = 366


def _parse_date(text: str) -> date:
    return datetime.strptime(text.strip(), "%Y-%m-%d").date()


def _parse_datetime(text: str) -> datetime:
    text = text.strip().replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(text)


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter: reading figures changes nothing

    start = StringField("开始日期", validators=[Optional()])
    end = StringField("结束日期", validators=[Optional()])
    as_of = StringField("统计截止时间", validators=[Optional()])
    sort = HiddenField(validators=[Optional(), AnyOf(SORT_KEYS, message="排序方式无效。")])
    dir = HiddenField(validators=[Optional(), AnyOf(("asc", "desc"), message="排序方向无效。")])

    def validate_start(self, field):
        try:
            _parse_date(field.data)
        except ValueError:
            raise ValidationError("请输入有效的开始日期，格式为 YYYY-MM-DD。") from None

    def validate_end(self, field):
        try:
            end = _parse_date(field.data)
        except ValueError:
            raise ValidationError("请输入有效的结束日期，格式为 YYYY-MM-DD。") from None
        try:
            start = _parse_date(self.start.data or "")
        except ValueError:
            return
        if end < start:
            raise ValidationError("结束日期不能早于开始日期。")
        if (end - start).days >= MAX_DAYS:
            raise ValidationError("统计区间不能超过一年。")

    def validate_as_of(self, field):
        try:
            _parse_datetime(field.data)
        except ValueError:
            raise ValidationError("请输入有效的统计截止时间，例如 2018-09-29 12:00。") from None

    def period(self, at: datetime) -> Period:
        """The chosen period; missing fields default to last month as of now."""
        as_of = _parse_datetime(self.as_of.data) if self.as_of.data else at
        default = Period.last_month(at)
        start = _parse_date(self.start.data) if self.start.data else default.start
        end = _parse_date(self.end.data) if self.end.data else default.end
        if end < start:  # only one side given
            start, end = (start, start) if self.start.data else (end, end)
        return Period(start, end, as_of)

    def fill(self, period: Period) -> None:
        """Show the period actually used in the inputs."""
        self.start.data = period.start.isoformat()
        self.end.data = period.end.isoformat()
        self.as_of.data = period.as_of.strftime("%Y-%m-%dT%H:%M:%S" if period.as_of.second else "%Y-%m-%dT%H:%M")
