"""Page helpers every feature's views share: a notice above a list, paging, a form page."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

from portal.errors import RuleViolation
from portal.extensions import db
from portal.web.inputs import MAX_PAGE, bounded_int
from portal.web.htmx import render_page_or_fragment


@dataclass
class Notice:
    """A message above a list after an action; `secret` is a one-time password shown once."""

    text: str
    kind: str = "success"
    secret: str | None = None


def page_number() -> int:
    """The list page asked for (query string or a row action's form), 1 when missing or out of range."""
    return bounded_int(request.values.get("page"), 1, low=1, high=MAX_PAGE)


def per_page() -> int:
    return current_app.config.get("PAGE_SIZE", 20)


def render_form(form, *, title: str, action: str, submit: str, cancel: str, status: int = 200, **extra):
    """A page (or, for htmx, the fragment) with one form, its title and its submit and cancel buttons."""
    return render_page_or_fragment("form.html", "_form.html", form=form, title=title,
                                   action=action, submit=submit, cancel=cancel, **extra), status


def row_action(obj, action, relist):
    """Run a list row's action (returning the Notice to show) and answer with the list again: committed, or
    rolled back with the Chinese reason and 422 when a rule refused it."""
    try:
        notice = action(obj)
    except RuleViolation as exc:
        db.session.rollback()
        return relist(Notice(exc.message, "danger"), 422)
    db.session.commit()
    return relist(notice)
