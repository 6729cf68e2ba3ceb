"""One-time form tokens: a form that records a counted fact (a call, an order, a reply, a callback, a KB
submission) carries a random token in a hidden field; the first POST with it records the fact and the
token, a repeated POST (double-click, browser resend) finds the token and shows the first result.

The token is the primary key of `form_token`, so two requests racing with the same token cannot both
commit: the loser's insert fails and it answers with the winner's result.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField
from wtforms.validators import Length

from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db

EXPIRED = "表单已失效，请刷新页面后重新提交。"


class FormToken(db.Model):
    __tablename__ = "form_token"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int | None]
    used_at: Mapped[datetime] = mapped_column(default=now)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def once_field() -> HiddenField:
    """The hidden field a form adds as `once = once_field()`: a fresh token each time the form is shown. A POST
    without one (a page loaded before tokens existed) gets a fresh token, i.e. counts as a new submission."""
    return HiddenField(default=new_token, validators=[Length(max=64, message=EXPIRED)])


def first_result(token: str, purpose: str) -> int | None | bool:
    """The target id recorded with this token (None if it recorded no id), or False when it is unused."""
    row = db.session.get(FormToken, token)
    if row is None:
        return False
    if row.purpose != purpose:
        raise RuleViolation(EXPIRED)
    return row.target_id


def run_once(token: str, purpose: str, record: Callable[[], int | None]) -> tuple[int | None, bool]:
    """Run `record` (which flushes and returns the new row's id) once per token: (id, True) the first time,
    (the first id, False) for a repeat. The caller commits."""
    first = first_result(token, purpose)
    if first is not False:
        return first, False
    target_id = record()
    db.session.add(FormToken(token=token, purpose=purpose, target_id=target_id, used_at=now()))
    try:
        db.session.flush()
    except IntegrityError:  # the same token committed by a request running at the same time
        db.session.rollback()
        first = first_result(token, purpose)
        if first is False:
            raise
        return first, False
    return target_id, True
