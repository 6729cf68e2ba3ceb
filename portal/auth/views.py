"""Login, logout, change password."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.audit import lockout
from portal.audit.services import record
from portal.auth import services, sessions
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
        username = form.username.data
        until = lockout.locked_until(username)
        if until is not None:
            lockout.refused_while_locked(username)
            form.password.errors.append(f"该账号因连续登录失败已被锁定，请于 {until:%H:%M} 后再试，或联系中心管理员。")
            return render_template("auth/login.html", form=form), 429
        user = services.authenticate(username, form.password.data)
        if user is None:
            until = lockout.failed(username)
            form.password.errors.append(
                f"用户名或密码错误，或账号已停用。连续失败 {lockout.FAILURES} 次将锁定 {lockout.WINDOW.seconds // 60} 分钟。"
                if until is None else f"连续登录失败 {lockout.FAILURES} 次，账号已锁定至 {until:%H:%M}。")
        else:
            # Login needs no write: the last-login time and the log entry are saved best effort, so people
            # can still sign in (and read) while the database is read-only.
            services.note_login(user)
            session.clear()  # a new session: nothing set before login (CSRF token, flashes) carries over
            login_user(user)
            sessions.start()
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
        record("logout")
        db.session.commit()
    logout_user()
    session.clear()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    form.username_for_policy = current_user.username
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except RuleViolation as exc:
            form.current.errors.append(exc.message)
        else:
            record("password.changed", object_type="user", object_id=current_user.id)
            db.session.commit()
            login_user(current_user._get_current_object())  # the session id carries the new session_version
            sessions.start()
            flash("密码已修改。", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)
