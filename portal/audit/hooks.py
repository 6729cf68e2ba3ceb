"""Where audit events come from without every feature calling the log itself.

- Changes to accounts, units, the roster and settings: a flush hook writes one row per changed record into
  the same transaction (so the row exists exactly when the change does).
- Views, downloads, exports and mobile reveals: AUDITED_ENDPOINTS, recorded after the response.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from portal.audit.models import AuditEvent
from portal.audit.services import _row, current_actor, record_now
from portal.clock import now
from portal.signals import access_denied


@dataclass(frozen=True)
class Audited:
    event: str
    object_type: str = ""
    object_arg: str = ""
    unit_users_only: bool = False


AUDITED_ENDPOINTS = {
    "orders.detail": Audited("order.view", "order", "order_id", unit_users_only=True),
    "orders.reveal": Audited("order.reveal_mobile", "order", "order_id"),
    "orders.export": Audited("order.export"),
    "orders.attachment": Audited("order.download", "attachment", "attachment_id"),
    "knowledge.attachment": Audited("kb.download", "kb_attachment", "attachment_id"),
    "knowledge.campaigns_export": Audited("kb.export"),
    "circulars.pdf": Audited("circular.download", "circular", "circular_id"),
    "circulars.docx": Audited("circular.download", "circular", "circular_id"),
    "circulars.xlsx": Audited("circular.download", "circular", "circular_id"),
    "stats.export_csv": Audited("stats.export"),
    "scores.export": Audited("scores.export"),
    "audit.export": Audited("audit.export"),
}

# Columns whose change alone is bookkeeping, not an administrative change.
_QUIET = {"last_login_at", "session_version", "totp_last_step"}
_WATCHED = {"user": "user.change", "unit": "unit.change", "time_limit": "settings.change",
            "calendar_year": "settings.change", "calendar_day": "settings.change"}


def _changed_columns(obj) -> list[str]:
    state = inspect(obj)
    names = []
    for attr in state.mapper.column_attrs:
        if state.attrs[attr.key].history.has_changes():
            names.append("password" if attr.key == "password_hash" else attr.key)
    return names


def _rows_for_flush(session) -> list[dict]:
    rows = []
    actor = None
    for kind, objects in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            table = getattr(obj, "__tablename__", "")
            if table == "roster_event" and kind == "new":
                name = f"roster.{obj.action}"
                detail = obj.detail
            elif table in _WATCHED:
                changed = _changed_columns(obj) if kind == "dirty" else []
                if kind == "dirty" and (not changed or set(changed) <= _QUIET):
                    continue
                name = _WATCHED[table]
                label = getattr(obj, "username", None) or getattr(obj, "short_name", None) or ""
                detail = {"new": "新建", "deleted": "删除"}.get(kind, "修改：" + "、".join(c for c in changed if c not in _QUIET))
                detail = f"{label} {detail}".strip()
            else:
                continue
            actor = actor or current_actor()
            row = _row(name, result="ok", actor=actor, username=None, object_type=table,
                       object_id=getattr(obj, "id", None), detail=detail)
            rows.append({c.key: getattr(row, c.key) for c in AuditEvent.__table__.columns if c.key != "id"})
    return rows


@event.listens_for(Session, "after_flush")
def _audit_changes(session, _context) -> None:
    rows = _rows_for_flush(session)
    if rows:
        for row in rows:
            row["at"] = row["at"] or now()
        session.connection().execute(AuditEvent.__table__.insert(), rows)


def _after_request(response):
    audited = AUDITED_ENDPOINTS.get(request.endpoint or "")
    if audited is None or response.status_code in (301, 302, 303, 304):
        return response
    try:
        return _record_response(audited, response)
    except Exception:  # e.g. the user cannot be loaded while the database is down: the answer stands
        current_app.logger.exception("could not audit %s", request.endpoint)
        return response


def _record_response(audited: Audited, response):
    if not current_user.is_authenticated:
        return response
    if audited.unit_users_only and not current_user.is_unit_user:
        return response
    if response.status_code >= 400:  # refusals are recorded by the error handler (access.denied)
        return response
    object_id = (request.view_args or {}).get(audited.object_arg) if audited.object_arg else None
    record_now(audited.event, object_type=audited.object_type, object_id=object_id,
               detail=request.query_string.decode("utf-8", "replace")[:500])
    return response


def _denied(_app, status: int) -> None:
    record_now("access.denied", result="denied", object_type=str(status), object_id=request.endpoint or "",
               detail=f"{request.method} {request.full_path.rstrip('?')}"[:500])


def register_hooks(app: Flask) -> None:
    app.after_request(_after_request)
    access_denied.connect(_denied, app)
