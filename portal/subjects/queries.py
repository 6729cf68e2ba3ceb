"""Read-only views of the 事项分类 tree."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.extensions import db
from portal.orders.models import Subject, WorkOrder


@dataclass
class Node:
    subject: Subject
    children: list[Subject]
    orders: int


def tree() -> tuple[list[Node], dict[int, int]]:
    """Every first-level subject (retired ones too) with its children in display order, and orders per subject."""
    subjects = list(db.session.scalars(select(Subject).order_by(Subject.display_order, Subject.id)))
    counts = dict(db.session.execute(select(WorkOrder.subject_id, func.count()).group_by(WorkOrder.subject_id)).all())
    return [Node(s, [c for c in subjects if c.parent_id == s.id], counts.get(s.id, 0))
            for s in subjects if s.parent_id is None], counts


def first_level() -> list[Subject]:
    return list(db.session.scalars(select(Subject).where(Subject.parent_id.is_(None))
                                   .order_by(Subject.display_order, Subject.id)))


def find_path(parts: list[str], subjects: list[Subject]) -> Subject | None:
    """The subject at `parts` (one or two names) among `subjects`, or None."""
    by_id = {s.id: s for s in subjects}
    for s in subjects:
        parent = by_id.get(s.parent_id)
        if [*([parent.name] if parent else []), s.name] == parts:
            return s
    return None
