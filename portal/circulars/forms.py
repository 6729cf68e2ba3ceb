"""Circular forms: all input validation lives here."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, HiddenField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.clock import now
from portal.stats.period import Period
from portal.web.fields import DateField, IntegerField, coerce_id

TEXT_MAX = 20000


class DraftForm(FlaskForm):
    period_start = DateField("开始日期", validators=[InputRequired("请选择开始日期。")])
    period_end = DateField("结束日期", validators=[InputRequired("请选择结束日期。")])
    as_of = DateTimeLocalField("统计截止时间", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                               validators=[InputRequired("请填写统计截止时间。")])

    def fill_defaults(self) -> None:
        """Last month, as of now."""
        period = Period.last_month(now())
        self.period_start.data, self.period_end.data = period.start, period.end
        self.as_of.data = period.as_of.replace(second=0)

    def validate_period_end(self, field):
        if self.period_start.data and field.data and field.data < self.period_start.data:
            raise ValidationError("结束日期不能早于开始日期。")

    def validate_as_of(self, field):
        if self.period_start.data and field.data and field.data.date() < self.period_start.data:
            raise ValidationError("统计截止时间不能早于开始日期。")
        if field.data and field.data > now().replace(second=59) and field.data.date() > now().date():
            raise ValidationError("统计截止时间不能晚于今天。")


class EditForm(FlaskForm):
    version = HiddenField()
    title = StringField("标题", validators=[DataRequired("请填写标题。"), Length(max=200, message="标题不超过200字。")])
    doc_number = StringField("发文字号", validators=[Optional(), Length(max=60, message="发文字号不超过60字。")])
    addressee_line = StringField("主送", validators=[Optional(), Length(max=200, message="主送不超过200字。")])
    intro = TextAreaField("导语", validators=[Optional(), Length(max=TEXT_MAX)])
    s1 = TextAreaField("一、办理情况", validators=[DataRequired("请填写办理情况。"), Length(max=TEXT_MAX)])
    s3 = TextAreaField("三、存在问题", validators=[Optional(), Length(max=TEXT_MAX)])
    s4 = TextAreaField("四、下步要求", validators=[Optional(), Length(max=TEXT_MAX)])
    new_deadline = DateField("未报送单位补报期限", validators=[Optional()])
    issuer = StringField("发文机关署名", validators=[DataRequired("请填写发文机关。"), Length(max=100)])
    issue_date = DateField("成文日期", validators=[Optional()])
    cc = TextAreaField("抄送", validators=[Optional(), Length(max=1000, message="抄送不超过1000字。")])
    units = SelectMultipleField("主送单位", coerce=coerce_id, validate_choice=False)

    def validate_units(self, field):
        if not field.data:
            raise ValidationError("请至少选择一个主送单位。")

    def case_texts(self, formdata, order_ids: list[int]) -> dict[int, str]:
        """Case texts arrive as case-<order id>; every picked case must keep some text."""
        texts = {}
        for order_id in order_ids:
            value = (formdata.get(f"case-{order_id}") or "").strip()
            if value:
                texts[order_id] = value[:TEXT_MAX]
        return texts


class RefreshForm(FlaskForm):
    version = HiddenField()
    as_of = DateTimeLocalField("统计截止时间", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()])
    redraft = BooleanField("同时重新起草已修改的段落")


class CaseForm(FlaskForm):
    order_id = IntegerField("工单", validators=[InputRequired("请选择工单。")])


class IssueForm(FlaskForm):
    version = HiddenField()
    confirm_empty = HiddenField()  # "1" once the user confirmed issuing with empty sections left out


def parse_version(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

