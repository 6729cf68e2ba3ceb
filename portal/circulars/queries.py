"""Read-only queries for circulars: lists scoped to the user, read receipts, case candidates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import case, func, or_, select

from portal.circulars.models import Circular, CircularRead, CircularRecipient, CircularStatus
from portal.extensions import db
from portal.orders.enums import OrderKind, OrderState
from portal.orders.models import WorkOrder
from portal.orders.records import Supervision
from portal.units.models import Unit
from portal.web.errors import abort_zh
from portal.web.scoping import scoped_select


def visible(user):
    """Circulars the user may see: all for the centre; issued ones addressed to their unit for a unit user."""
    if not user.is_unit_user:
        return select(Circular)
    addressed = scoped_select(CircularRecipient, user).with_only_columns(CircularRecipient.circular_id)
    return select(Circular).where(Circular.status == CircularStatus.ISSUED, Circular.id.in_(addressed))


def list_for(user, page: int = 1, per_page: int = 20):
    stmt = visible(user).order_by(Circular.period_end.desc(), Circular.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def get_for(user, circular_id: int) -> Circular:
    """One circular the user may see, or 404 (a draft, or another unit's circular, does not exist for them)."""
    circular = db.session.scalars(visible(user).where(Circular.id == circular_id)).first()
    if circular is None:
        abort_zh(404, "通报不存在，或您无权查看。")
    return circular


def get_draft_or_404(circular_id: int) -> Circular:
    circular = db.session.get(Circular, circular_id)
    if circular is None:
        abort_zh(404, "通报不存在。")
    return circular


@dataclass(frozen=True)
class Receipt:
    unit: Unit
    first_read_at: datetime | None
    readers: list[tuple[str, datetime]]


def receipts(circular: Circular) -> list[Receipt]:
    """Per addressed unit: when it first read the circular, and who read it when."""
    reads: dict[int, list[CircularRead]] = {}
    for read in circular.reads:
        reads.setdefault(read.unit_id, []).append(read)
    out = []
    for rec in sorted(circular.recipients, key=lambda r: (r.unit.display_order, r.unit_id)):
        rows = sorted(reads.get(rec.unit_id, []), key=lambda r: r.first_read_at)
        out.append(Receipt(rec.unit, rows[0].first_read_at if rows else None,
                           [(r.user.name, r.first_read_at) for r in rows]))
    return out


def case_candidates(circular: Circular, q: str = "", limit: int = 30) -> list[WorkOrder]:
    """Orders accepted in the circular's period, praise orders first (they make the typical cases)."""
    start = datetime.combine(circular.period_start, time.min)
    end = datetime.combine(circular.period_end + timedelta(days=1), time.min)
    stmt = select(WorkOrder).where(WorkOrder.accepted_at >= start, WorkOrder.accepted_at < end)
    q = (q or "").strip()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(WorkOrder.number.like(like), WorkOrder.title.like(like), WorkOrder.content.like(like)))
    praise_first = case((WorkOrder.kind == OrderKind.PRAISE, 0), else_=1)
    stmt = stmt.order_by(praise_first, WorkOrder.accepted_at, WorkOrder.id).limit(limit)
    return list(db.session.scalars(stmt))


PROPOSED_PRAISE, PROPOSED_COMPLAINTS = 5, 3


def proposed_cases(circular: Circular, exclude: set[int]) -> list[dict]:
    """Typical cases the draft proposes: praise orders of the period first (by acceptance), then the
    complaints of the period closed by the circular's as-of time with the most 督办 (at least one)."""
    start = datetime.combine(circular.period_start, time.min)
    end = datetime.combine(circular.period_end + timedelta(days=1), time.min)
    in_period = (WorkOrder.accepted_at >= start, WorkOrder.accepted_at < end)
    praise = db.session.scalars(
        select(WorkOrder).where(*in_period, WorkOrder.kind == OrderKind.PRAISE, WorkOrder.id.not_in(exclude))
        .order_by(WorkOrder.accepted_at, WorkOrder.id).limit(PROPOSED_PRAISE)).all()
    count = func.count(Supervision.id).label("n")
    complaints = db.session.execute(
        select(WorkOrder, count).join(Supervision, Supervision.order_id == WorkOrder.id)
        .where(*in_period, WorkOrder.kind == OrderKind.COMPLAINT, WorkOrder.state == OrderState.CLOSED,
               WorkOrder.closed_at <= circular.as_of, Supervision.created_at <= circular.as_of,
               WorkOrder.id.not_in(exclude))
        .group_by(WorkOrder.id).order_by(count.desc(), WorkOrder.accepted_at, WorkOrder.id)
        .limit(PROPOSED_COMPLAINTS)).all()
    out = [{"order_id": o.id, "number": o.number, "kind": o.kind.value, "title": o.title, "reason": "表扬"}
           for o in praise]
    out += [{"order_id": o.id, "number": o.number, "kind": o.kind.value, "title": o.title,
             "reason": f"投诉已办结，督办{n}次"} for o, n in complaints]
    return out
