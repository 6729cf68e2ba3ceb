"""HTMX request helpers (STYLE.md: fragments, HX-Redirect, Vary)."""
from __future__ import annotations

from flask import Response, make_response, render_template, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """True for an htmx request that swaps a fragment (not boosted, not a history restore)."""
    return (
        is_htmx()
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_fragment(page: str, fragment: str, **context) -> str:
    """Render the full page, or only its fragment for an htmx fragment request."""
    return render_template(fragment if wants_fragment() else page, **context)


def hx_redirect(url: str, status: int = 200) -> Response:
    resp = make_response("", status)
    resp.headers["HX-Redirect"] = url
    return resp


def redirect_after_post(url: str) -> Response:
    """Redirect a form POST: HX-Redirect for htmx, 303 otherwise."""
    if is_htmx():
        return hx_redirect(url)
    resp = make_response("", 303)
    resp.headers["Location"] = url
    return resp


def add_vary_header(response: Response) -> Response:
    response.vary.add("HX-Request")
    return response
