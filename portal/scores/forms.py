"""Forms of the 考核 pages: the month picker, a scheme version, a deduction/bonus and its revocation."""
from __future__ import annotations

import re
from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.scores.indicators import REGISTRY
from portal.scores.models import AdjustmentKind, BoardScope
from portal.scores.services import REASON_MAX, ItemSpec, SchemeSpec
from portal.stats.forms import _parse_datetime
from portal.units.models import UNIT_GROUPS
from portal.web.fields import IntegerField, coerce_id

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
POINTS = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


def options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def parse_month(text: str | None) -> date | None:
    """'2018-08' → 2018-08-01; None when it is not a month between 2000 and 2999."""
    m = MONTH.match((text or "").strip())
    if not m or not 2000 <= int(m.group(1)) <= 2999 or not 1 <= int(m.group(2)) <= 12:
        return None
    return date(int(m.group(1)), int(m.group(2)), 1)


def last_month(at: datetime) -> date:
    return date(at.year - 1, 12, 1) if at.month == 1 else date(at.year, at.month - 1, 1)


def _month_check(form, field):
    if field.data and parse_month(field.data) is None:
        raise ValidationError("请输入有效的月份，格式为 2018-08。")


class MonthForm(FlaskForm):
    """考核月份 and 统计截止时间, read from the query string."""

    class Meta:
        csrf = False  # a GET filter: reading scores changes nothing

    month = StringField("考核月份", validators=[Optional(), _month_check])
    as_of = StringField("统计截止时间", validators=[Optional()])

    def validate_as_of(self, field):
        if field.data:
            try:
                _parse_datetime(field.data)
            except ValueError:
                raise ValidationError("请输入有效的统计截止时间，例如 2018-09-29 12:00。") from None

    def chosen(self, at: datetime) -> tuple[date, datetime]:
        """The month (default: last month) and T (default: now)."""
        month = parse_month(self.month.data) or last_month(at)
        as_of = _parse_datetime(self.as_of.data) if self.as_of.data else at
        return month, as_of

    def fill(self, month: date, as_of: datetime) -> None:
        self.month.data = f"{month:%Y-%m}"
        self.as_of.data = as_of.strftime("%Y-%m-%dT%H:%M:%S" if as_of.second else "%Y-%m-%dT%H:%M")


def _group_field(group: str) -> IntegerField:
    return IntegerField(f"{group}满分", validators=[InputRequired("请填写满分。"),
                                                    NumberRange(1, 1000, "满分应为 1 至 1000 之间的整数。")])


class _SchemeBase(FlaskForm):
    name = StringField("方案名称", validators=[DataRequired("请填写方案名称。"), Length(max=100)])
    effective_from = StringField("起始月份", validators=[DataRequired("请填写起始月份。"), _month_check])
    red_size = IntegerField("红榜单位数", default=5, validators=[
        InputRequired("请填写红榜单位数。"), NumberRange(0, 50, "应为 0 至 50 之间的整数。")])
    black_size = IntegerField("黑榜单位数", default=5, validators=[
        InputRequired("请填写黑榜单位数。"), NumberRange(0, 50, "应为 0 至 50 之间的整数。")])
    board_scope = RadioField("红黑榜范围", choices=options((s.value, s.label) for s in BoardScope), default="group",
                             validators=[InputRequired("请选择红黑榜范围。")])
    note = TextAreaField("说明", validators=[Optional(), Length(max=2000)])

    GROUP_FIELDS = [(g, f"full_{i}") for i, g in enumerate(UNIT_GROUPS)]
    INDICATOR_FIELDS = list(REGISTRY)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        chosen = [k for k in REGISTRY if self[f"use_{k}"].data]
        for key in chosen:
            if self[f"weight_{key}"].data is None:
                self[f"weight_{key}"].errors.append("请填写权重。")
                ok = False
        if not chosen:
            self.form_errors.append("请至少选择一项考核指标。")
            return False
        weights = [self[f"weight_{k}"].data for k in chosen]
        if ok and sum(weights) != 100:
            self.form_errors.append(f"各项指标的权重合计应为 100%，现为 {sum(weights)}%。")
            ok = False
        return ok

    def spec(self) -> SchemeSpec:
        items = [ItemSpec(k, self[f"weight_{k}"].data, self[f"threshold_{k}"].data)
                 for k in REGISTRY if self[f"use_{k}"].data]
        return SchemeSpec(
            name=self.name.data, effective_from=parse_month(self.effective_from.data),
            full_marks={g: self[name].data for g, name in self.GROUP_FIELDS}, items=items,
            red_size=self.red_size.data, black_size=self.black_size.data,
            board_scope=BoardScope(self.board_scope.data), note=self.note.data or "",
        )

    def load(self, scheme) -> None:
        """Fill from an existing version (editing it, or starting the next version from it)."""
        self.name.data, self.note.data = scheme.name, scheme.note
        self.red_size.data, self.black_size.data = scheme.red_size, scheme.black_size
        self.board_scope.data = scheme.board_scope.value
        for g, name in self.GROUP_FIELDS:
            self[name].data = scheme.full_marks(g)
        items = {i.indicator: i for i in scheme.items}
        for key in REGISTRY:
            item = items.get(key)
            self[f"use_{key}"].data = item is not None
            self[f"weight_{key}"].data = item.weight if item else None
            self[f"threshold_{key}"].data = item.threshold if item else None


def _scheme_form_class():
    attrs = {name: _group_field(g) for g, name in _SchemeBase.GROUP_FIELDS}
    for key, ind in REGISTRY.items():
        attrs[f"use_{key}"] = BooleanField(ind.label)
        attrs[f"weight_{key}"] = IntegerField(f"{ind.label}权重（%）", validators=[
            Optional(), NumberRange(1, 100, "权重应为 1 至 100 之间的整数。")])
        attrs[f"threshold_{key}"] = IntegerField(
            f"{ind.label}{'上限' if ind.penalty else '门槛'}（%）",
            validators=[Optional(), NumberRange(0, 100, "应为 0 至 100 之间的整数（百分比）。")])
    return type("SchemeForm", (_SchemeBase,), attrs)


SchemeForm = _scheme_form_class()


class AdjustmentForm(FlaskForm):
    unit_id = SelectField("承办单位", coerce=coerce_id, validators=[InputRequired("请选择单位。")])
    month = StringField("考核月份", validators=[DataRequired("请填写考核月份。"), _month_check])
    kind = RadioField("类型", choices=options((k.value, k.label) for k in AdjustmentKind), default="deduct",
                      validators=[InputRequired("请选择加分或扣分。")])
    points = StringField("分值", validators=[DataRequired("请填写分值。")])
    reason = TextAreaField("原因", validators=[DataRequired("请填写加扣分原因。"), Length(max=REASON_MAX)])

    def validate_points(self, field):
        text = (field.data or "").strip()
        if not POINTS.match(text) or not 0 < float(text) <= 100:
            raise ValidationError("分值应大于 0、不超过 100，最多两位小数，例如 0.5。")

    def hundredths(self) -> int:
        whole, _, frac = self.points.data.strip().partition(".")
        return int(whole) * 100 + int((frac + "00")[:2])


class RevokeForm(FlaskForm):
    reason = TextAreaField("撤销原因", validators=[DataRequired("请填写撤销原因。"), Length(max=REASON_MAX)])
