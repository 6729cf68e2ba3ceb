"""Login, logout, change password."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.auth import services
from portal.auth.forms import ChangePasswordForm, LoginForm
from portal.errors import RuleViolation
from portal.extensions import db, limiter

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Return a local path to go to after login; anything else goes home.

    Browsers read a backslash as a slash and drop tabs and newlines, so "/\\evil" or "/<tab>/evil" would
    leave the site: refuse any target with a backslash or a control character.
    """
    if target and "\\" not in target and not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("home.index")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message="登录尝试过于频繁，请一分钟后再试。")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            form.password.errors.append("用户名或密码错误，或账号已停用。")
        else:
            db.session.commit()
            session.clear()  # a new session: nothing set before login (CSRF token, flashes) carries over
            login_user(user)
            if user.must_change_password:
                flash("首次登录或密码已重置，请先修改密码。", "warning")
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # A copied session cookie must not outlive the logout: bumping the version ends every session
        # of this user (the signed cookie session has no server-side copy to delete).
        current_user.session_version += 1
        db.session.commit()
    logout_user()
    session.clear()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except RuleViolation as exc:
            form.current.errors.append(exc.message)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # the session id carries the new session_version
            flash("密码已修改。", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)
