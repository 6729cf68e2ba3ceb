"""Logging for servers: one line per event on stderr (journald adds the time and the unit).

Errors (with their traceback folded into the same line), logins (success and failure), denials
(401/403/429) and every successful change an admin makes are logged here; features log their own
events through `logging.getLogger("portal.<feature>")`, which this handler prints too.
"""
from __future__ import annotations

import logging
import sys

from flask import Flask, Response, request
from flask_login import current_user

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
log = logging.getLogger("portal.requests")


class OneLineFormatter(logging.Formatter):
    """`LEVEL logger: message` with newlines (tracebacks included) escaped, so one event is one line."""

    def __init__(self):
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "").replace("\n", "\\n")


class _PortalHandler(logging.StreamHandler):
    """Marks the handler this module installed, so a second create_app() does not add another."""


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if not any(isinstance(h, _PortalHandler) for h in root.handlers):
        handler = _PortalHandler(sys.stderr)
        handler.setFormatter(OneLineFormatter())
        root.addHandler(handler)
    logging.getLogger("portal").setLevel(level)


def _who() -> str:
    try:
        if current_user and current_user.is_authenticated:
            return f"{current_user.username}({current_user.role.value})"
    except Exception:  # noqa: BLE001 - logging must never break a response (e.g. the database is down)
        return "?"
    return "-"


def _log_request(response: Response) -> Response:
    status = response.status_code
    where = f"{request.method} {request.path} endpoint={request.endpoint} ip={request.remote_addr}"
    if request.endpoint == "auth.login" and request.method == "POST":
        username = (request.form.get("username") or "").strip()[:50]
        if status in (302, 303):
            log.info("login ok: user=%s ip=%s", username, request.remote_addr)
        elif status != 429:
            log.warning("login failed: user=%s ip=%s status=%s", username, request.remote_addr, status)
    if status in (401, 403):
        log.warning("denied: user=%s %s status=%s", _who(), where, status)
    elif status == 429:
        log.warning("rate limited: user=%s %s", _who(), where)
    elif request.method in UNSAFE and status < 400 and request.endpoint != "auth.login":
        role = getattr(getattr(current_user, "role", None), "value", None)
        if role == "admin":
            log.info("admin change: user=%s %s status=%s", _who(), where, status)
    return response


def register_logging(app: Flask) -> None:
    configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    app.after_request(_log_request)
