"""Lock an account name after repeated failures, counted in the database (so it holds across workers).

Any re-authentication (the login, a later second factor, a confirmation by password) calls `locked_until`
before checking and `failed` / `succeeded` after, with its own `purpose`. Failures are the audit log's
`<purpose>.failed` rows for the name since its last success; FAILURES of them within WINDOW lock the name
for WINDOW from the last one. An unknown name locks the same way, so the answer tells nothing.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.audit.services import record_now
from portal.clock import now

FAILURES = 5
WINDOW = timedelta(minutes=15)


def _name(username: str) -> str:
    return (username or "").strip().lower()[:50]


def locked_until(username: str, purpose: str = "login") -> datetime | None:
    """When the lock on this name ends, or None when it is not locked."""
    name = _name(username)
    since = now() - WINDOW
    # A success or the security administrator's unlock ends the count.
    last_ok = select(func.max(AuditEvent.at)).where(AuditEvent.event.in_((f"{purpose}.ok", f"{purpose}.unlocked")),
                                                    AuditEvent.username == name).scalar_subquery()
    times = select(AuditEvent.at).where(
        AuditEvent.event == f"{purpose}.failed", AuditEvent.username == name, AuditEvent.at > since,
        AuditEvent.at > func.coalesce(last_ok, datetime(1900, 1, 1)),
    ).order_by(AuditEvent.at.desc()).limit(FAILURES)
    from portal.extensions import db

    recent = db.session.scalars(times).all()
    if len(recent) < FAILURES:
        return None
    return recent[0] + WINDOW


def failed(username: str, purpose: str = "login", detail: str = "") -> datetime | None:
    """Count a failure; return the lock's end when this failure locks the name."""
    record_now(f"{purpose}.failed", result="failed", username=_name(username), detail=detail)
    until = locked_until(username, purpose)
    if until is not None:
        record_now(f"{purpose}.locked", result="locked", username=_name(username),
                   detail=f"连续失败 {FAILURES} 次，锁定至 {until:%Y-%m-%d %H:%M}")
    return until


def refused_while_locked(username: str, purpose: str = "login") -> None:
    record_now(f"{purpose}.refused", result="locked", username=_name(username), detail="账号锁定期间的尝试")
