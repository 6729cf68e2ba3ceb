"""WTForms fields bounded to what the databases and date arithmetic can hold.

WTForms' IntegerField takes any size of number and DateField any year up to 9999, so 2^63 or 9999-12-31
passed validation and failed later in SQL or in `date + 1 day`. Every form of the portal uses these.
"""
from __future__ import annotations

from wtforms import fields
from wtforms.validators import ValidationError

from portal.web.inputs import MAX_DATE, MAX_ID, MIN_DATE


class IntegerField(fields.IntegerField):
    """A whole number within ±(2^31 − 1)."""

    def __init__(self, label=None, validators=None, invalid_value_message: str = "请填写整数。", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_value_message = invalid_value_message

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip() if isinstance(valuelist[0], str) else valuelist[0]
        if raw == "":
            self.data = None
            return
        try:
            self.data = int(raw)
        except (TypeError, ValueError):
            self.data = None
            raise ValueError(self.invalid_value_message) from None

    def pre_validate(self, form):
        if self.data is not None and abs(self.data) > MAX_ID:
            raise ValidationError("数值超出允许范围。")


class DateField(fields.DateField):
    """A date between 1900-01-01 and 2999-12-31, with a Chinese message for a bad one."""

    def __init__(self, label=None, validators=None, format="%Y-%m-%d", **kwargs):
        super().__init__(label, validators, format=format, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("日期格式不正确，应为 2018-09-28。") from None

    def pre_validate(self, form):
        if self.data is not None and not (MIN_DATE <= self.data <= MAX_DATE):
            raise ValidationError("日期超出允许范围。")


def coerce_id(value):
    """SelectField coerce for ids: an int within range; anything else raises, WTForms reports it."""
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text.isascii() or not text.isdigit() or len(text) > 10:
            raise ValueError("请选择有效的选项。")
        number = int(text)
    if not 0 <= number <= MAX_ID:
        raise ValueError("请选择有效的选项。")
    return number
