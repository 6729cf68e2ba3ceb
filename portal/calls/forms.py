"""The operator's call form."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from portal.clock import now
from portal.web.fields import coerce_id
from portal.web.once import once_field

PHONE_RE = re.compile(r"^\+?[0-9][0-9-]{2,19}$")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ZhDateTimeLocalField(DateTimeLocalField):
    """A datetime-local input whose parse error is in Chinese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("来电时间格式不正确，应为 2018-08-20 09:30。") from exc


class CallForm(FlaskForm):
    received_at = ZhDateTimeLocalField("来电时间", format=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"], default=now,
                                     validators=[InputRequired("请填写来电时间（格式如 2018-08-20 09:30）。")])
    mobile = StringField("来电号码", filters=[_strip], validators=[
        DataRequired("请填写来电号码。"),
        Regexp(PHONE_RE, message="来电号码格式不正确：应为 3–20 位数字（座机可含“-”），如 13912345678。")])
    summary = TextAreaField("来电摘要", filters=[_strip], validators=[
        DataRequired("请填写来电摘要。"), Length(max=2000, message="来电摘要不超过 2000 个字。")])
    entry_ids = SelectMultipleField("采用的知识库条目", coerce=coerce_id, validate_choice=False)
    no_entry_reason = StringField("未采用知识库条目的原因", filters=[_strip], validators=[
        Length(max=200, message="原因不超过 200 个字。")])
    once = once_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.received_at.render_kw = {"step": "1"}

    def validate_received_at(self, field):
        if field.data and field.data > now():
            raise ValidationError("来电时间不能晚于现在。")


class DirectReplyForm(CallForm):
    """直接答复: the entries ticked in the search beside the form, or why none answered the call."""

    def validate_no_entry_reason(self, field):
        if not (self.entry_ids.data or []) and not field.data:
            raise ValidationError("请在右侧检索结果中勾选答复所依据的知识库条目；没有合适条目的，请在此说明原因。")
