"""Page helpers every feature's views share: a notice above a list, paging, a form page."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

from portal.web.htmx import render_page_or_fragment


@dataclass
class Notice:
    """A message above a list after an action; `secret` is a one-time password shown once."""

    text: str
    kind: str = "success"
    secret: str | None = None


def page_number() -> int:
    try:
        return max(1, int(request.values.get("page", 1)))
    except ValueError:
        return 1


def per_page() -> int:
    return current_app.config.get("PAGE_SIZE", 20)


def render_form(form, *, title: str, action: str, submit: str, cancel: str, status: int = 200, **extra):
    """A page (or, for htmx, the fragment) with one form, its title and its submit and cancel buttons."""
    return render_page_or_fragment("form.html", "_form.html", form=form, title=title,
                                   action=action, submit=submit, cancel=cancel, **extra), status
