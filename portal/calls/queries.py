"""Read-only call lists: an operator's recent calls, today's figures, calls still waiting for their order."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from portal.auth.roles import Role
from portal.calls.models import Call, CallOutcome
from portal.clock import now
from portal.extensions import db


def _own(stmt, user):
    """An operator sees their own calls; the centre sees everyone's."""
    return stmt.where(Call.operator_id == user.id) if user.role == Role.OPERATOR else stmt


def recent_calls(user, limit: int = 15) -> list[Call]:
    stmt = select(Call).order_by(Call.received_at.desc(), Call.id.desc()).limit(limit)
    return list(db.session.scalars(_own(stmt, user)))


def waiting_for_order(user, limit: int = 20) -> list[Call]:
    """Calls logged for an order whose order form was never saved (待建工单), oldest first: resumable drafts."""
    stmt = select(Call).where(Call.outcome.is_(None), Call.order_id.is_(None))
    return list(db.session.scalars(_own(stmt, user).order_by(Call.received_at, Call.id).limit(limit)))


@dataclass(frozen=True)
class CallDay:
    day: date
    total: int
    direct: int
    order: int
    waiting: int


def call_day(user, at: datetime | None = None) -> CallDay:
    """Today's calls of this operator (the centre: all), by how they ended."""
    day = (at or now()).date()
    start = datetime.combine(day, time.min)
    stmt = select(Call.outcome, func.count(Call.id)).where(Call.received_at >= start,
                                                           Call.received_at < start + timedelta(days=1))
    counts = dict(db.session.execute(_own(stmt, user).group_by(Call.outcome)).all())
    waiting = db.session.scalar(_own(select(func.count(Call.id)).where(Call.outcome.is_(None),
                                                                       Call.order_id.is_(None)), user)) or 0
    direct, order = counts.get(CallOutcome.DIRECT, 0), counts.get(CallOutcome.ORDER, 0)
    return CallDay(day, sum(counts.values()), direct, order, waiting)
