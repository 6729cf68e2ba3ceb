"""Error pages in Chinese; htmx requests get a short fragment the page shows as a toast."""
from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, InternalError, OperationalError
from werkzeug.exceptions import HTTPException, default_exceptions

from portal.errors import RuleViolation
from portal.signals import access_denied
from portal.extensions import db
from portal.web.htmx import is_htmx

MESSAGES = {
    400: "请求有误，请检查后重试。",
    401: "登录已过期，请重新登录。",
    403: "您没有权限执行此操作。",
    404: "页面不存在，或您无权查看。",
    405: "不支持此操作方式。",
    409: "数据已被他人修改，请刷新后重试。",
    413: "上传的文件过大。",
    422: "提交的内容有误，请检查后重试。",
    429: "操作过于频繁，请稍后再试。",
    500: "服务器内部错误，请稍后重试或联系中心管理员。",
    503: "系统暂时无法使用，请稍后再试。",
}
CANNOT_SAVE = "系统暂时无法保存，请稍后再试。"
DATABASE_DOWN = "系统暂时无法连接数据库，请稍后再试。"
BUSY = "系统繁忙，请稍后再试。"
OUT_OF_RANGE = "提交的数值或日期超出允许范围，请检查后重试。"
DUPLICATE = "该记录已被他人同时提交，请刷新后查看最新状态。"
# The true reason for each unique key a simultaneous request can hit (constraint name, or the columns
# SQLite names in its message).
UNIQUE_MESSAGES = (
    (("ix_call_order_id", "call.order_id"), "该来电已形成工单，不能重复登记。"),
    (("uq_kb_entry_unit_title", "kb_entry.unit_id, kb_entry.title"), "本单位已有同标题的知识库条目（可能是他人刚刚保存的），请修改标题。"),
    (("uq_work_order_number", "work_order.number"), "工单编号冲突，请重新提交。"),
    (("uq_user_username", "user.username"), "该用户名已被使用。"),
    (("uq_unit_full_name", "unit.full_name", "uq_unit_short_name", "unit.short_name"), "单位名称已被使用。"),
    (("uq_calendar_year_year", "calendar_year.year"), "该年度的节假日安排已由他人录入，请刷新后查看。"),
    (("uq_tag_name", "tag.name"), "该标签已存在。"),
    (("uq_appeal_target", "appeal.target"), "该评价或逾期判定已提出申诉（可能是他人刚刚提交的），不能重复申诉。"),
    (("uq_supervision_notice_year_seq", "supervision_notice.year"), "督办单编号冲突，请重新提交。"),
)
# What SQLite, PostgreSQL and psycopg say when storage refuses a write (read-only, disk full).
_CANNOT_WRITE = ("readonly database", "read-only", "read only", "disk is full", "disk full", "no space left",
                 "25006", "53100")


def abort_zh(status: int, message: str):
    """Abort with an HTTP status and a Chinese message for the user."""
    exc = default_exceptions[status]()
    exc.zh_message = message
    raise exc


def _render(status: int, message: str | None = None):
    _rollback()
    text = message or MESSAGES.get(status, "出错了。")
    template = "errors/_toast.html" if is_htmx() else "errors/error.html"
    return render_template(template, status=status, message=text), status


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the database is gone; the page must still answer
        current_app.logger.exception("rollback failed while answering an error")


def render_outage(status: int, message: str):
    """An error page that needs neither the database nor the logged-in user (the database may be down)."""
    _rollback()
    template = "errors/_toast.html" if is_htmx() else "errors/outage.html"
    # Straight from the Jinja environment: no context processor runs, so nothing loads the user.
    html = current_app.jinja_env.get_template(template).render(status=status, message=message)
    resp = current_app.make_response((html, status))
    if status == 503:
        resp.headers["Retry-After"] = "30"
    return resp


def cannot_write(exc: Exception) -> bool:
    """True when the database refused a write because its storage is read-only or full."""
    text = f"{getattr(exc, 'orig', exc)!s} {getattr(getattr(exc, 'orig', None), 'sqlstate', '')}".lower()
    return any(marker in text for marker in _CANNOT_WRITE)


def _database_error(exc: Exception):
    if cannot_write(exc):
        current_app.logger.error("database refused a write: %s", exc)
        return render_outage(503, CANNOT_SAVE)
    if "database is locked" in str(exc) or "lock timeout" in str(exc).lower():
        current_app.logger.error("database busy: %s", exc)
        return render_outage(503, BUSY)
    current_app.logger.exception("database unavailable")
    return render_outage(503, DATABASE_DOWN)


def _out_of_range(exc: Exception):
    current_app.logger.warning("value out of range: %s", exc)
    return _render(422, OUT_OF_RANGE)


def duplicate_message(exc: Exception) -> str:
    """The Chinese reason for a unique-key violation, from the constraint it hit."""
    text = str(getattr(exc, "orig", exc))
    for names, message in UNIQUE_MESSAGES:
        if any(name in text for name in names):
            return message
    return DUPLICATE


def _duplicate(exc: Exception):
    current_app.logger.warning("integrity error turned into 409: %s", exc)
    return _render(409, duplicate_message(exc))


def _server_error(exc: Exception):
    if isinstance(exc, HTTPException):  # abort(500) and friends
        return render_outage(exc.code or 500, MESSAGES.get(exc.code, MESSAGES[500]))
    original = getattr(exc, "original_exception", exc)
    if isinstance(original, (OperationalError, InternalError)):
        return _database_error(original)
    return render_outage(500, MESSAGES[500])


def _denied(status: int, exc: Exception):
    """403, and 404 for a logged-in user (another unit's record answers 404): logged as a denied access."""
    try:
        if current_user.is_authenticated:
            access_denied.send(current_app._get_current_object(), status=status)
    except Exception:  # the log must never turn a refusal into a 500
        current_app.logger.exception("could not log a denied access")
    return _render(status, getattr(exc, "zh_message", None))


def register_error_handlers(app: Flask) -> None:
    for status in MESSAGES:
        if status in (403, 404, 500, 503):
            continue
        app.register_error_handler(status, lambda e, s=status: _render(s, getattr(e, "zh_message", None)))
    app.register_error_handler(403, lambda e: _denied(403, e))
    app.register_error_handler(404, lambda e: _denied(404, e))
    app.register_error_handler(500, _server_error)
    app.register_error_handler(503, lambda e: render_outage(503, getattr(e, "zh_message", None) or MESSAGES[503]))
    app.register_error_handler(RuleViolation, lambda e: _render(e.status, e.message))
    app.register_error_handler(CSRFError, _csrf_error)
    # Backstops: a value no validator caught, a race the service did not expect, storage that refuses writes.
    app.register_error_handler(OverflowError, _out_of_range)
    app.register_error_handler(DataError, _out_of_range)
    app.register_error_handler(IntegrityError, _duplicate)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(InternalError, _database_error)


def _csrf_error(_exc):
    """Without a login, a page's token failed because the login expired: say that, and go to the login page.
    (The login form's own token is a different matter: that page was simply left open too long.)"""
    from portal.web.access import PUBLIC_ENDPOINTS, login_redirect

    if not current_user.is_authenticated and request.endpoint not in PUBLIC_ENDPOINTS:
        db.session.rollback()
        return login_redirect()
    return _render(400, "页面已过期（安全令牌失效），请刷新页面后重试。")
