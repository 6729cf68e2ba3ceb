"""Record audit events. `record` joins the caller's transaction; `record_now` commits on its own, best effort.

Use `record` inside a service or view whose work the event describes (it is saved or lost with that work).
Use `record_now` for events whose request writes nothing or was refused (a failed login, a denial, a view,
a download): it ends the request's read transaction first and never lets a storage failure break the answer.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_request_context, request
from flask_login import current_user

from portal.audit.models import AuditEvent
from portal.extensions import db


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    username: str = ""
    role: str = ""
    unit_id: int | None = None
    unit_name: str = ""

    @classmethod
    def of(cls, user) -> Actor:
        if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
            return cls()
        return cls.of_user(user)

    @classmethod
    def of_user(cls, user) -> Actor:
        unit = user.unit
        return cls(user.id, user.username, str(user.role.value if hasattr(user.role, "value") else user.role),
                   user.unit_id, unit.short_name if unit else "")


def current_actor() -> Actor:
    if not has_request_context():
        return Actor()
    try:
        return Actor.of(current_user._get_current_object())
    except Exception:  # the user cannot be loaded (database down): record without one
        return Actor()


def client_address() -> str:
    return (request.remote_addr or "")[:64] if has_request_context() else ""


def _row(event: str, *, result: str, actor: Actor | None, username: str | None, object_type: str,
         object_id, detail: str) -> AuditEvent:
    actor = actor if actor is not None else current_actor()
    return AuditEvent(event=event, result=result, user_id=actor.user_id,
                      username=(username if username is not None else actor.username)[:50], role=actor.role,
                      unit_id=actor.unit_id, unit_name=actor.unit_name[:100], address=client_address(),
                      object_type=object_type, object_id="" if object_id is None else str(object_id)[:40],
                      detail=(detail or "")[:500])


def record(event: str, *, result: str = "ok", actor: Actor | None = None, username: str | None = None,
           object_type: str = "", object_id=None, detail: str = "") -> AuditEvent:
    """Add an audit row to the current transaction (saved when the caller commits)."""
    row = _row(event, result=result, actor=actor, username=username, object_type=object_type,
               object_id=object_id, detail=detail)
    db.session.add(row)
    return row


def record_now(event: str, *, result: str = "ok", actor: Actor | None = None, username: str | None = None,
               object_type: str = "", object_id=None, detail: str = "") -> bool:
    """Commit one audit row in a transaction of its own; False when storage refused it (logged, not raised).

    The request's own transaction is rolled back first: call this only when that work is committed or
    refused already.
    """
    actor = actor if actor is not None else current_actor()
    try:
        db.session.rollback()
        db.session.add(_row(event, result=result, actor=actor, username=username, object_type=object_type,
                            object_id=object_id, detail=detail))
        db.session.commit()
        return True
    except Exception:  # read-only or full storage, database down: the answer must not depend on the log
        current_app.logger.exception("audit event %s could not be saved", event)
        try:
            db.session.rollback()
        except Exception:
            current_app.logger.exception("rollback after a failed audit write failed")
        return False
