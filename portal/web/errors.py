"""Error pages in Chinese; htmx requests get a short fragment the page shows as a toast."""
from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import default_exceptions

from portal.errors import RuleViolation
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
}


def abort_zh(status: int, message: str):
    """Abort with an HTTP status and a Chinese message for the user."""
    exc = default_exceptions[status]()
    exc.zh_message = message
    raise exc


def _render(status: int, message: str | None = None):
    db.session.rollback()
    text = message or MESSAGES.get(status, "出错了。")
    template = "errors/_toast.html" if is_htmx() else "errors/error.html"
    return render_template(template, status=status, message=text), status


def register_error_handlers(app: Flask) -> None:
    for status in MESSAGES:
        app.register_error_handler(status, lambda e, s=status: _render(s, getattr(e, "zh_message", None)))
    app.register_error_handler(RuleViolation, lambda e: _render(e.status, e.message))
    app.register_error_handler(CSRFError, _csrf_error)


def _csrf_error(_exc):
    """Without a login, a page's token failed because the login expired: say that, and go to the login page.
    (The login form's own token is a different matter: that page was simply left open too long.)"""
    from flask import request
    from flask_login import current_user

    from portal.web.access import PUBLIC_ENDPOINTS, login_redirect

    if not current_user.is_authenticated and request.endpoint not in PUBLIC_ENDPOINTS:
        db.session.rollback()
        return login_redirect()
    return _render(400, "页面已过期（安全令牌失效），请刷新页面后重试。")
