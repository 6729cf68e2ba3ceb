"""Session lifetime: ended after SESSION_IDLE_MINUTES without a request (30 by default) and, whatever the
activity, SESSION_MAX_HOURS after login (12). The notification badge's polling is not activity: a tab left
open must not keep a session alive.
"""
from __future__ import annotations

import time

from flask import Flask, current_app, flash, request, session
from flask_login import current_user, logout_user

# Requests a page makes by itself, not by the person.
PASSIVE_ENDPOINTS = frozenset({"notifications.badge", "static"})


def start() -> None:
    """Call right after login_user: the clocks start now."""
    stamp = int(time.time())
    session["_started"] = stamp
    session["_seen"] = stamp
    session.permanent = True


def _expired(now: int) -> str | None:
    started, seen = session.get("_started"), session.get("_seen")
    if not isinstance(started, int) or not isinstance(seen, int):
        return None
    if now - started > current_app.config["SESSION_MAX_HOURS"] * 3600:
        return "登录已超过最长时限，请重新登录。"
    if now - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        return "长时间未操作，已自动退出，请重新登录。"
    return None


def _check_session():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    reason = _expired(now)
    if reason:
        from portal.audit.services import record_now

        record_now("logout.timeout", detail=reason)
        logout_user()
        session.clear()
        flash(reason, "warning")
        return None  # now anonymous: the access guard sends them to the login page
    if "_started" not in session or not isinstance(session.get("_started"), int):
        start()  # a session from before this rule: its clocks start now
    elif request.endpoint not in PASSIVE_ENDPOINTS:
        session["_seen"] = now
    return None


def register_sessions(app: Flask) -> None:
    app.before_request(_check_session)
