"""Login and password forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

MIN_PASSWORD = 10


def strong_password(_form, field):
    """At least 10 characters mixing letters and digits."""
    value = field.data or ""
    if len(value) < MIN_PASSWORD:
        raise ValidationError(f"密码至少 {MIN_PASSWORD} 位。")
    if not any(c.isdigit() for c in value) or not any(c.isalpha() for c in value):
        raise ValidationError("密码须同时包含字母和数字。")


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=50)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。")])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码。"), strong_password])
    confirm = PasswordField(
        "确认新密码", validators=[DataRequired("请再次输入新密码。"), EqualTo("new", "两次输入的新密码不一致。")]
    )
