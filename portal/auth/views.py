"""Login, logout, change password."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

import time

from portal.audit import lockout
from portal.audit.services import Actor, record
from portal.auth import second_factor, services, sessions
from portal.auth.forms import ChangePasswordForm, LoginForm, SecondFactorForm
from portal.auth.loader import load_user
from portal.errors import RuleViolation
from portal.extensions import db, limiter

bp = Blueprint("auth", __name__)

SECOND_FACTOR = "second_factor"  # the lockout purpose of the second step (portal.audit.lockout)
REAUTH = "reauth"  # the lockout purpose of a password asked again while logged in


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
            next_page = safe_next(request.args.get("next"))
            if user.has_second_factor or second_factor.required_for(user):
                # Half logged in: the session only names who passed the password, and for how long; every
                # other page still sees an anonymous visitor until the second step is done.
                session.clear()
                session[PENDING] = {"user": user.get_id(), "at": int(time.time()), "next": next_page}
                return redirect(url_for("auth.second_factor"))
            return _complete_login(user, next_page)
    return render_template("auth/login.html", form=form)


PENDING = "_second_factor_pending"
PENDING_SECONDS = 5 * 60


def _complete_login(user, next_page: str):
    # Login needs no write: the last-login time and the log entry are saved best effort, so people
    # can still sign in (and read) while the database is read-only.
    services.note_login(user)
    session.clear()  # a new session: nothing set before login (CSRF token, flashes) carries over
    login_user(user)
    sessions.start()
    if user.must_change_password:
        flash("首次登录或密码已重置，请先修改密码。", "warning")
        return redirect(url_for("auth.change_password"))
    return redirect(next_page)


def _pending_user():
    """The user who passed the password step in this session within PENDING_SECONDS, else None."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int):
        return None
    if time.time() - pending["at"] > PENDING_SECONDS:
        return None
    user = load_user(str(pending.get("user", "")))
    return user


def _enrol_context(user, secret: str) -> dict:
    return {"secret": second_factor.spaced(secret),
            "qr": second_factor.qr_data_uri(second_factor.provisioning_uri(user, secret))}


def _locked_message(until) -> str:
    return f"动态口令连续输错 {lockout.FAILURES} 次，账号已锁定至 {until:%H:%M}，请稍后再试或联系安全管理员。"


def _reauth_locked_message(until) -> str:
    return f"当前密码连续输错 {lockout.FAILURES} 次，已锁定至 {until:%H:%M}，请稍后再试或联系安全管理员。"


def _locked(username: str, purpose: str, field, message) -> bool:
    """Before checking a secret asked again: refuse (and say until when) while its lockout holds."""
    until = lockout.locked_until(username, purpose)
    if until is None:
        return False
    lockout.refused_while_locked(username, purpose)
    field.errors.append(message(until))
    return True


def _failed(username: str, purpose: str, field, message, wrong: str, detail: str = "") -> int:
    """Count a wrong secret; the field says why, or until when it is now locked. Returns the status."""
    until = lockout.failed(username, purpose, detail=detail)
    field.errors.append(message(until) if until else wrong)
    return 429 if until else 422


@bp.route("/login/second-factor", methods=["GET", "POST"], endpoint="second_factor")
@limiter.limit(_login_limit, methods=["POST"], error_message="尝试过于频繁，请一分钟后再试。")
def second_factor_step():
    """The login's second step: a code from the authenticator app or a recovery code; first, enrolment."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash("请先输入用户名和密码；两步登录须在 5 分钟内完成。", "warning")
        return redirect(url_for("auth.login"))
    enrolling = not user.has_second_factor
    if enrolling:
        secret = session[PENDING].get("secret")
        if not secret:
            secret = second_factor.new_secret()
            session[PENDING] = {**session[PENDING], "secret": secret}
    form = SecondFactorForm()
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        if _locked(user.username, SECOND_FACTOR, form.code, _locked_message):
            status = 429
        elif enrolling:
            codes = second_factor.enrol(user, secret, form.code.data)
            if codes is not None:
                record("second_factor.enrolled", actor=Actor.of_user(user), object_type="user", object_id=user.id)
                record(f"{SECOND_FACTOR}.ok", actor=Actor.of_user(user), username=user.username.lower())
                db.session.commit()
                next_page = session[PENDING].get("next") or url_for("home.index")
                response = _complete_login(user, next_page)
                return render_template("auth/recovery_codes.html", codes=codes, next_url=response.location)
            status = _failed(user.username, SECOND_FACTOR, form.code, _locked_message,
                             "动态口令不正确，请核对手机时间后重新输入。", detail="绑定时的动态口令错误")
        else:
            used_recovery = False
            ok = second_factor.check_code(user, form.code.data)
            if not ok:
                ok = used_recovery = second_factor.use_recovery_code(user, form.code.data)
            if ok:
                left = second_factor.recovery_codes_left(user) if used_recovery else None
                record(f"{SECOND_FACTOR}.ok", actor=Actor.of_user(user), username=user.username.lower(),
                       detail="恢复码" if used_recovery else "动态口令")
                db.session.commit()
                response = _complete_login(user, session[PENDING].get("next") or url_for("home.index"))
                if used_recovery:
                    flash(f"已使用一个恢复码（每个只能用一次），还剩 {left} 个。请尽快在“两步验证”中重新生成恢复码。",
                          "warning")
                return response
            db.session.rollback()
            status = _failed(user.username, SECOND_FACTOR, form.code, _locked_message,
                             f"动态口令或恢复码不正确，或已使用过。连续失败 {lockout.FAILURES} 次将锁定 "
                             f"{lockout.WINDOW.seconds // 60} 分钟。")
    context = _enrol_context(user, secret) if enrolling else {}
    return render_template("auth/second_factor.html", form=form, user=user, enrolling=enrolling, **context), status


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
@limiter.limit(_login_limit, methods=["POST"], error_message="尝试过于频繁，请一分钟后再试。")
def change_password():
    form = ChangePasswordForm()
    form.username_for_policy = current_user.username
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        username = current_user.username
        if _locked(username, REAUTH, form.current, _reauth_locked_message):
            status = 429
        elif not current_user.check_password(form.current.data):
            status = _failed(username, REAUTH, form.current, _reauth_locked_message,
                             f"当前密码不正确。连续输错 {lockout.FAILURES} 次将锁定 {lockout.WINDOW.seconds // 60} 分钟。")
        else:
            try:
                services.change_password(current_user, form.current.data, form.new.data)
            except RuleViolation as exc:
                form.current.errors.append(exc.message)
            else:
                record("password.changed", object_type="user", object_id=current_user.id)
                record(f"{REAUTH}.ok", username=username.lower())
                db.session.commit()
                login_user(current_user._get_current_object())  # the session id carries the new session_version
                sessions.start()
                flash("密码已修改。", "success")
                return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form), status


ENROL_SECRET = "_second_factor_enrol"


def _two_factor_page(form, status: int = 200, codes=None):
    user = current_user._get_current_object()
    context = {}
    if not user.has_second_factor:
        secret = session.get(ENROL_SECRET) or second_factor.new_secret()
        session[ENROL_SECRET] = secret
        context = _enrol_context(user, secret)
    return render_template("auth/two_factor.html", form=form, user=user, codes=codes,
                           required=second_factor.required_for(user),
                           left=second_factor.recovery_codes_left(user), **context), status


@bp.route("/account/second-factor", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message="尝试过于频繁，请一分钟后再试。")
def two_factor():
    """The user's own second factor: enrol, new recovery codes, or (when not required) turn it off."""
    form = SecondFactorForm()
    if not form.validate_on_submit():
        return _two_factor_page(form, 422 if form.is_submitted() else 200)
    user = current_user._get_current_object()
    action = request.form.get("action", "")
    if _locked(user.username, SECOND_FACTOR, form.code, _locked_message):
        return _two_factor_page(form, 429)
    if not user.has_second_factor:
        codes = second_factor.enrol(user, session.get(ENROL_SECRET, ""), form.code.data) if session.get(ENROL_SECRET) else None
        ok, event = codes is not None, "second_factor.enrolled"
    else:
        ok = second_factor.check_code(user, form.code.data)
        codes, event = None, "second_factor.codes_renewed"
        if ok and action == "disable":
            if second_factor.required_for(user):
                db.session.rollback()
                form.code.errors.append("您的账号必须使用两步验证，不能停用。")
                return _two_factor_page(form, 422)
            second_factor.remove(user)
            event = "second_factor.removed"
        elif ok:
            codes = second_factor.new_recovery_codes(user)
    if not ok:
        db.session.rollback()
        return _two_factor_page(form, _failed(user.username, SECOND_FACTOR, form.code, _locked_message,
                                              "动态口令不正确或已使用过，请等下一个口令再试。"))
    record(event, object_type="user", object_id=user.id)
    record(f"{SECOND_FACTOR}.ok", username=user.username.lower())
    db.session.commit()
    session.pop(ENROL_SECRET, None)
    if codes is None:
        flash("已停用两步验证。", "success")
        return redirect(url_for("auth.two_factor"))
    return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("auth.two_factor"))
