"""Settings forms: time limits, a year's holiday arrangement typed as lines of text, 回访 levels counted as satisfied."""
from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from portal.calendar.arrangements import DEFAULT_WORKDAY_NAME, Arrangement, HolidaySpan, WorkdaySwap
from portal.orders.enums import CallbackResult, OrderKind
from portal.orders.limits import handle_key
from portal.web.fields import IntegerField


def _whole(label: str, low: int, high: int, unit: str) -> IntegerField:
    message = f"{label}须为 {low}–{high} 之间的整数（{unit}）。"
    return IntegerField(label, invalid_value_message=message,
                        validators=[InputRequired(f"请填写{label}。"), NumberRange(min=low, max=high, message=message)])


class TimeLimitForm(FlaskForm):
    handle_consult = _whole("咨询", 1, 60, "工作日")
    handle_help = _whole("求助", 1, 60, "工作日")
    handle_complaint = _whole("投诉", 1, 60, "工作日")
    handle_suggestion = _whole("建议", 1, 60, "工作日")
    handle_report = _whole("举报", 1, 60, "工作日")
    handle_praise = _whole("表扬", 1, 60, "工作日")
    sign_working_days = _whole("签收时限", 1, 10, "派单日之后第几个工作日结束前")
    urgent_sign_minutes = _whole("紧急工单签收时限", 5, 1440, "分钟")
    urgent_handle_hours = _whole("紧急工单办理时限", 1, 240, "小时")
    co_task_days_before = _whole("协办时限", 0, 10, "主办单位办理时限之前几个工作日")

    KIND_FIELDS = {kind: f"handle_{kind.value}" for kind in OrderKind}

    def fill(self, values: dict[str, int]) -> None:
        for kind, name in self.KIND_FIELDS.items():
            getattr(self, name).data = values[handle_key(kind)]
        for name in ("sign_working_days", "urgent_sign_minutes", "urgent_handle_hours", "co_task_days_before"):
            getattr(self, name).data = values[name]

    def values(self) -> dict[str, int]:
        values = {handle_key(kind): getattr(self, name).data for kind, name in self.KIND_FIELDS.items()}
        for name in ("sign_working_days", "urgent_sign_minutes", "urgent_handle_hours", "co_task_days_before"):
            values[name] = getattr(self, name).data
        return values


class EscalationForm(FlaskForm):
    """申诉期限 and the 问题工单 thresholds (issue 13), stored with the time limits."""

    appeal_window_days = _whole("申诉期限", 1, 20, "判定后第几个工作日结束前")
    problem_reopens = _whole("重办次数", 2, 20, "次")
    problem_units = _whole("经办单位数", 2, 20, "个")

    NAMES = ("appeal_window_days", "problem_reopens", "problem_units")

    def fill(self, values: dict[str, int]) -> None:
        for name in self.NAMES:
            getattr(self, name).data = values[name]

    def values(self) -> dict[str, int]:
        return {name: getattr(self, name).data for name in self.NAMES}


_DATE = r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
_HOLIDAY_LINE = re.compile(rf"^{_DATE}(?:\s*(?:至|到|~|～|—|－|-)\s*{_DATE})?\s*[,，、\s]\s*(\S.*)$")
_WORKDAY_LINE = re.compile(rf"^{_DATE}(?:\s*[,，、\s]\s*(\S.*))?$")


def _date(y: str, m: str, d: str, line_no: int) -> date:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        raise ValidationError(f"第 {line_no} 行：日期 {y}-{m}-{d} 不存在。") from None


def _lines(text: str | None) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), start=1) if line.strip()]


class ArrangementForm(FlaskForm):
    holidays = TextAreaField("放假安排", validators=[Length(max=5000, message="放假安排不超过 5000 个字。")])
    workdays = TextAreaField("调休上班日", validators=[Length(max=2000, message="调休上班日不超过 2000 个字。")])
    note = StringField("依据（文件名称或文号）", validators=[Length(max=200, message="依据不超过 200 个字。")])

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.arrangement: Arrangement | None = None

    def fill(self, arrangement: Arrangement) -> None:
        self.holidays.data = "\n".join(
            f"{s.start:%Y-%m-%d} {s.name}" if s.start == s.end else f"{s.start:%Y-%m-%d} 至 {s.end:%Y-%m-%d} {s.name}"
            for s in arrangement.holidays
        )
        self.workdays.data = "\n".join(f"{w.day:%Y-%m-%d} {w.name}" for w in arrangement.workdays)
        self.note.data = arrangement.note

    def validate_holidays(self, field) -> None:
        spans, errors = [], []
        for n, line in _lines(field.data):
            match = _HOLIDAY_LINE.match(line)
            if not match:
                errors.append(f"第 {n} 行“{line}”格式不正确，应为“2027-01-01 至 2027-01-03 元旦”或“2027-04-05 清明节”。")
                continue
            try:
                start = _date(*match.group(1, 2, 3), n)
                end = _date(*match.group(4, 5, 6), n) if match.group(4) else start
            except ValidationError as exc:
                errors.append(str(exc))
                continue
            name = match.group(7).strip()
            if len(name) > 30:
                errors.append(f"第 {n} 行：节日名称不超过 30 个字。")
            elif end < start:
                errors.append(f"第 {n} 行：结束日期早于开始日期。")
            elif (end - start).days > 31:
                errors.append(f"第 {n} 行：一段假期不超过 31 天。")
            else:
                spans.append(HolidaySpan(start, end, name))
        if errors:
            raise ValidationError(" ".join(errors))
        self._spans = spans

    def validate_workdays(self, field) -> None:
        swaps, errors = [], []
        for n, line in _lines(field.data):
            match = _WORKDAY_LINE.match(line)
            if not match:
                errors.append(f"第 {n} 行“{line}”格式不正确，应为“2027-02-06 春节调休”。")
                continue
            try:
                day = _date(*match.group(1, 2, 3), n)
            except ValidationError as exc:
                errors.append(str(exc))
                continue
            name = (match.group(4) or DEFAULT_WORKDAY_NAME).strip()
            if len(name) > 30:
                errors.append(f"第 {n} 行：说明不超过 30 个字。")
            else:
                swaps.append(WorkdaySwap(day, name))
        if errors:
            raise ValidationError(" ".join(errors))
        self._swaps = swaps

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        arrangement = Arrangement(self.year, self._spans, self._swaps, (self.note.data or "").strip())
        problems = arrangement.problems()
        if not arrangement.holidays:
            problems.insert(0, "请至少填写一段放假安排（元旦、春节、清明节、劳动节、端午节、中秋节、国庆节）。")
        if problems:
            self.form_errors.extend(problems)
            return False
        self.arrangement = arrangement
        return True


class SatisfiedLevelsForm(FlaskForm):
    """Which 回访 levels count as satisfied in 回访满意率 (DOMAIN.md §3)."""

    levels = SelectMultipleField(
        "计为满意的回访结果", choices=[SelectChoice(r.value, r.label) for r in CallbackResult],
        widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput(),
        validators=[InputRequired("请至少选择一个计为满意的回访结果。")])
