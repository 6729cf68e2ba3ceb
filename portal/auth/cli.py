"""`flask --app wsgi users create-admin`: the first account of a fresh installation."""
from __future__ import annotations

import logging
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import func, select
from wtforms import Form, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from portal.auth.forms import strong_password, username_format, username_unique
from portal.auth.models import User, UserDuty
from portal.auth.roles import ADMIN_ROLES, Role
from portal.extensions import db

users_cli = AppGroup("users", help="账号 / accounts.")
log = logging.getLogger("portal.admin")


class AdminForm(Form):
    """The same rules as the admin's user form and the change-password form."""

    username = StringField("用户名", validators=[DataRequired("请填写用户名。"), username_format, username_unique])
    name = StringField("姓名", validators=[DataRequired("请填写姓名。"), Length(max=50, message="姓名不超过 50 个字。")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), strong_password])


def _read_password() -> str:
    """From the terminal (hidden, typed twice) or, when piped, the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("密码（至少 10 位，含字母和数字）", hide_input=True,
                        confirmation_prompt="再次输入密码", show_default=False)


@users_cli.command("create-admin")
@click.argument("username")
@click.option("--name", default="系统管理员", show_default=True, help="姓名")
def create_admin(username: str, name: str) -> None:
    """Create the first administrator (system, security and audit duties); the password is read from a prompt or stdin."""
    existing = db.session.scalars(select(User).where(User.holding(Role.ADMIN), User.active.is_(True))).first()
    if existing is not None:
        raise click.ClickException(
            f"已有系统管理员账号“{existing.username}”，不能再用此命令创建。"
            "请由现有管理员在「用户管理」中添加账号或重置密码。")
    form = AdminForm(data={"username": username.strip(), "name": name.strip(), "password": _read_password()})
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                click.echo(message, err=True)
        sys.exit(1)
    # The first account holds all three administrator roles; the security administrator can later hand
    # them to different people. It enrols its second factor at its first login.
    user = User(username=form.username.data, name=form.name.data, role=Role.ADMIN, unit=None, active=True,
                must_change_password=False, duties=[UserDuty(role=r) for r in ADMIN_ROLES if r != Role.ADMIN])
    user.set_password(form.password.data)
    db.session.add(user)
    db.session.commit()
    log.info("admin created: user=%s by=cli", user.username)
    click.echo(f"已创建管理员“{user.username}”（系统管理员、安全管理员、审计管理员），"
               "请用此账号登录门户，首次登录时绑定动态口令（手机验证器）。")


@users_cli.command("reset-2fa")
@click.argument("username")
def reset_second_factor(username: str) -> None:
    """Forget USERNAME's second factor (a lost phone when no other security administrator can); audited."""
    from portal.audit.services import Actor
    from portal.auth import second_factor
    from portal.errors import RuleViolation

    user = db.session.scalars(select(User).where(func.lower(User.username) == username.strip().lower())).first()
    if user is None:
        raise click.ClickException(f"没有用户名为“{username}”的账号。")
    try:
        second_factor.reset(user, actor=Actor(username="命令行"), detail=f"在服务器上用命令重置 {user.username} 的两步验证")
    except RuleViolation as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    log.info("second factor reset: user=%s by=cli", user.username)
    click.echo(f"已重置“{user.username}”的两步验证：下次登录时须重新绑定手机验证器。此操作已记入审计日志。")
