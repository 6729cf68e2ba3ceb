"""Shared pieces for demo orders: subjects and tags, the actors of each unit, and the lifecycle steps the
demo takes, each one a transition() at the demo's time with the records the services would keep."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.demo.order_subjects import SUBJECT_TREE, TAG_BUSINESS, TAG_ECOLOGY
from portal.extensions import db
from portal.orders.enums import RequestStatus
from portal.orders.models import Subject, Tag, WorkOrder
from portal.orders.records import Reply, Supervision
from portal.orders.transitions import transition
from portal.units.models import Unit


def load_subjects() -> dict[str, Subject]:
    """Create the two-level tree; return the second-level subjects by name."""
    leaves = {}
    for top_order, (top, children) in enumerate(SUBJECT_TREE, start=1):
        parent = Subject(name=top, display_order=top_order)
        db.session.add(parent)
        for order, name in enumerate(children, start=1):
            leaves[name] = Subject(name=name, parent=parent, display_order=order)
            db.session.add(leaves[name])
    db.session.flush()
    return leaves


def load_tags() -> dict[str, Tag]:
    tags = {name: Tag(name=name) for name in (TAG_BUSINESS, TAG_ECOLOGY)}
    db.session.add_all(tags.values())
    db.session.flush()
    return tags


@dataclass
class Actors:
    centre: User | None
    operator: User | None
    liaisons: dict[int, User]
    leaders: dict[int, User]

    @classmethod
    def load(cls) -> "Actors":
        users = list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))
        first = lambda role: next((u for u in users if u.role == role), None)  # noqa: E731
        liaisons, leaders = {}, {}
        for u in users:
            if u.role == Role.LIAISON:
                liaisons.setdefault(u.unit_id, u)
            elif u.role == Role.UNIT_LEADER:
                leaders.setdefault(u.unit_id, u)
        return cls(first(Role.CENTRE_STAFF), first(Role.OPERATOR), liaisons, leaders)


def units_by_name() -> dict[str, Unit]:
    return {u.short_name: u for u in db.session.scalars(select(Unit))}


class Steps:
    """The demo's orders move through the real lifecycle (portal.orders.transitions) at the demo's times.
    Each order is flushed once, when its reply is recorded, instead of after every step (flush=False)."""

    def __init__(self, actors: Actors):
        self.actors = actors

    def liaison(self, order: WorkOrder) -> User | None:
        return self.actors.liaisons.get(order.unit_id)

    def create(self, order: WorkOrder, at: datetime) -> None:
        order.created_at, order.created_by_id = at, getattr(self.actors.operator, "id", None)
        transition(order, "create", self.actors.operator, at=at, text=order.title, flush=False)

    def dispatch(self, order: WorkOrder, unit: Unit, at: datetime) -> None:
        transition(order, "dispatch", self.actors.centre, at=at, unit=unit, flush=False)

    def sign(self, order: WorkOrder, at: datetime) -> None:
        transition(order, "sign", self.liaison(order), at=at, flush=False)

    def supervise(self, order: WorkOrder, at: datetime, text: str, acknowledged_at: datetime | None = None) -> None:
        """督办, and the unit's acknowledgement when it came."""
        record = Supervision(order=order, unit_id=order.unit_id, created_by_id=getattr(self.actors.centre, "id", None),
                             created_at=at, text=text)
        db.session.add(record)
        db.session.flush()  # the unit acknowledges a stored supervise message
        transition(order, "supervise", self.actors.centre, at=at, text=text, flush=False)
        if acknowledged_at is not None:
            who = self.liaison(order)
            transition(order, "acknowledge", who, at=acknowledged_at, text="已阅督办", data={"supervisions": [record.id]})
            record.acknowledged_at, record.acknowledged_by_id = acknowledged_at, getattr(who, "id", None)

    def reply(self, order: WorkOrder, at: datetime, text: str, contacted_at: datetime) -> Reply:
        who = self.liaison(order)
        reply = Reply(order=order, unit_id=order.unit_id, submitted_by_id=getattr(who, "id", None), submitted_at=at,
                      result=text, contact_way="电话", contacted_at=contacted_at, resolved=True)
        db.session.add(reply)
        transition(order, "reply", who, at=at, text=text, data={"resolved": True, "contact_way": "电话"}, flush=False)
        return reply

    def accept(self, order: WorkOrder, reply: Reply, at: datetime) -> None:
        transition(order, "accept_reply", self.actors.centre, at=at, text="回复内容属实，同意办结。",
                   completed_at=reply.submitted_at, flush=False)
        reply.status, reply.reviewed_at, reply.review_note = RequestStatus.APPROVED, at, "同意办结。"
        reply.reviewed_by_id = getattr(self.actors.centre, "id", None)
