"""Tag counts and 热点问题 as direct queries over the facts in force at T: the definition of what the per-topic
sums (portal/stats/aggregates.py, summed.py) give, held equal by tests/stats/test_aggregates.py. Orders
counted for a unit at T (the unit table's 合计), each with its current tags and subject."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.orders.models import Subject, Tag, WorkOrder, order_tag
from portal.stats._sql import F, counted, dispatched
from portal.stats.period import Period


def tag_counts(period: Period) -> dict[str, int]:
    """Orders of the period per tag name (tags with orders only), most used first, then name."""
    n = func.count(F.id)
    stmt = (
        select(Tag.name, n)
        .join(order_tag, order_tag.c.tag_id == Tag.id)
        .join(F, F.order_id == order_tag.c.order_id)
        .where(counted(period), dispatched(period.as_of))
        .group_by(Tag.name)
        .order_by(n.desc(), Tag.name)
    )
    return {name: int(c) for name, c in db.session.execute(stmt)}


def hot_topics(period: Period, limit: int = 4) -> list[tuple[str, int]]:
    """热点问题: second-level subjects by order count descending, then name."""
    n = func.count(F.id)
    stmt = (
        select(Subject.name, n)
        .join(WorkOrder, WorkOrder.subject_id == Subject.id)
        .join(F, F.order_id == WorkOrder.id)
        .where(counted(period), dispatched(period.as_of), Subject.parent_id.is_not(None))
        .group_by(Subject.name)
        .order_by(n.desc(), Subject.name)
        .limit(limit)
    )
    return [(name, int(c)) for name, c in db.session.execute(stmt)]
