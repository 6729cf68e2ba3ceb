"""Appeal forms (Chinese messages)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class AppealForm(FlaskForm):
    target = RadioField("申诉事项", choices=[], validators=[DataRequired("请选择申诉事项。")],
                        validate_choice=False)
    reason = TextAreaField("申诉理由", validators=[
        DataRequired("请填写申诉理由。"), Length(max=2000, message="申诉理由最多2000个字。")])
    files = MultipleFileField("证明材料（可选）")


class DecisionForm(FlaskForm):
    version = HiddenField()
    note = TextAreaField("意见", validators=[Optional(), Length(max=1000, message="意见最多1000个字。")])
