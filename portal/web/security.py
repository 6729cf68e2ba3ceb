"""Security headers on every response."""
from __future__ import annotations

from flask import Flask, Response, current_app, request


def _csp() -> str:
    # Scripts only from this server's files: no inline script or event handler runs (page data travels in
    # data-* attributes and <script type="application/json">). Inline styles stay allowed (style="…" sizes).
    # A configured npm mirror is the one exception.
    extra = current_app.config.get("CDN_BASE") or ""
    origin = " ".join(filter(None, ["'self'", extra.rstrip("/")]))
    return (
        f"default-src 'self'; script-src {origin}; style-src {origin} 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'self'; object-src 'none'"
    )


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _csp())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        # Pages, exports and downloads show citizens' data: never kept in a cache or the back-forward cache.
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def register_security(app: Flask) -> None:
    app.after_request(add_security_headers)
