"""Login and password forms, and the rules every account form shares (username, password)."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from portal.auth.models import User
from portal.auth.passwords import MIN_LENGTH, password_problem
from portal.extensions import db

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,50}$")
username_format = Regexp(USERNAME_RE, message="用户名为 3–50 位字母、数字、下划线、点或短横线。")


def username_unique(form, field):
    """Usernames are unique ignoring case (login is case-insensitive)."""
    stmt = select(User.id).where(func.lower(User.username) == (field.data or "").strip().lower())
    editing = getattr(form, "editing_user", None)
    if editing is not None:
        stmt = stmt.where(User.id != editing.id)
    if db.session.scalar(stmt) is not None:
        raise ValidationError("该用户名已被使用，请换一个。")

MIN_PASSWORD = MIN_LENGTH


def strong_password(form, field):
    """The password policy of portal.auth.passwords, for the user the form is about."""
    problem = password_problem(field.data or "", getattr(form, "username_for_policy", ""))
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=50)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=200)])


class SecondFactorForm(FlaskForm):
    code = StringField("动态口令", validators=[DataRequired("请输入手机验证器显示的 6 位动态口令。"), Length(max=20)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。")])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码。"), strong_password])
    confirm = PasswordField(
        "确认新密码", validators=[DataRequired("请再次输入新密码。"), EqualTo("new", "两次输入的新密码不一致。")]
    )
