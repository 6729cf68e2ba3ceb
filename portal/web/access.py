"""Deny by default: every endpoint needs a login and a declared role set.

A view declares who may call it with @roles(...). The guard refuses any endpoint that is
neither public nor declared, so a view someone forgot to protect is unreachable, not open.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from portal.auth import second_factor
from portal.auth.roles import Role
from portal.web.htmx import hx_redirect, is_htmx

# auth.second_factor is the login's second step: it serves only a session that passed the password step.
PUBLIC_ENDPOINTS = frozenset({"static", "auth.login", "auth.second_factor", "healthz"})
# Logged-in users who must change their password may reach only these.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout", "static"})
# Logged-in users who must enrol a second factor (a requirement set after they logged in) only these.
ENROL_ENDPOINTS = frozenset({"auth.two_factor", "auth.logout", "static"})
# Any logged-in user, whatever the role.
LOGGED_IN_ENDPOINTS = PASSWORD_CHANGE_ENDPOINTS | ENROL_ENDPOINTS


def roles(*allowed: Role):
    """Declare the roles that may call a view; anyone else gets 403."""
    allowed_set = frozenset(allowed)

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.roles & allowed_set:  # a user may hold several administrator roles
                abort(403)
            return view(*args, **kwargs)

        wrapper.allowed_roles = allowed_set
        return wrapper

    return decorator


def allowed_roles(app: Flask, endpoint: str) -> frozenset[Role] | None:
    """Return the roles declared for an endpoint, None when public or undeclared."""
    view = app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", None)


EXPIRED = "登录已过期，请重新登录。"


def _page_to_return_to() -> str | None:
    """The page the user was on: this one for a GET, else the page that sent the form or fragment request."""
    if request.method == "GET" and not is_htmx():
        return request.full_path.rstrip("?")
    source = request.headers.get("HX-Current-URL") or request.referrer or ""
    parts = urlsplit(source)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") else None


def login_redirect():
    """Send an anonymous request to the login page and back here afterwards.

    A form or fragment request without a login means the login expired while the page was open: say so
    plainly, and come back to the page that holds the form (app.js keeps what was typed in it).
    """
    back = _page_to_return_to()
    login = url_for("auth.login", next=back if back != url_for("auth.login") else None)
    if request.method != "GET" or is_htmx():
        flash(EXPIRED, "warning")
    if is_htmx():
        return hx_redirect(login, status=401)
    return redirect(login)


def _guard():
    endpoint = request.endpoint
    if endpoint is None:  # 404/405 follow their own path
        return None
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_redirect()
    if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        target = url_for("auth.change_password")
        return hx_redirect(target, status=403) if is_htmx() else redirect(target)
    if (endpoint not in ENROL_ENDPOINTS and not current_user.has_second_factor
            and second_factor.required_for(current_user)):
        flash("您的账号须使用两步验证，请先绑定手机验证器。", "warning")
        target = url_for("auth.two_factor")
        return hx_redirect(target, status=403) if is_htmx() else redirect(target)
    if endpoint in LOGGED_IN_ENDPOINTS:
        return None
    if allowed_roles(current_app, endpoint) is None:
        current_app.logger.error("endpoint %s has no @roles declaration; refused", endpoint)
        abort(403)
    return None


def register_guard(app: Flask) -> None:
    app.before_request(_guard)
