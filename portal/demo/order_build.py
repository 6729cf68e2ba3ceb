"""Shared pieces for demo orders: subjects and tags, the actors of each unit, and lifecycle steps that set
the order's columns and append the same 流转记录 events the real services would."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.calendar.deadlines import handle_deadline, sign_deadline
from portal.demo.order_subjects import SUBJECT_TREE, TAG_BUSINESS, TAG_ECOLOGY
from portal.extensions import db
from portal.orders.enums import OrderState as S
from portal.orders.events import append_event
from portal.orders.models import Subject, Tag, WorkOrder
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
    """Lifecycle steps on a new order: columns and events as the services set them."""

    def __init__(self, actors: Actors):
        self.actors = actors

    def create(self, order: WorkOrder, at: datetime) -> None:
        order.state, order.created_at, order.created_by_id = S.PENDING, at, getattr(self.actors.operator, "id", None)
        db.session.add(order)
        append_event(order, "create", self.actors.operator, to_state=S.PENDING, text=order.title, at=at)

    def dispatch(self, order: WorkOrder, unit: Unit, at: datetime) -> None:
        order.unit_id = order.last_unit_id = unit.id
        order.dispatched_at = at
        order.sign_deadline = sign_deadline(at, order.urgent)
        order.handle_deadline = handle_deadline(at, order.kind, order.urgent)
        self.move(order, "dispatch", self.actors.centre, S.DISPATCHED, at, f"派至{unit.short_name}",
                   {"unit_id": unit.id, "unit": unit.short_name, "designated": False})

    def liaison(self, order: WorkOrder) -> User | None:
        return self.actors.liaisons.get(order.unit_id)

    def sign(self, order: WorkOrder, at: datetime) -> None:
        who = self.liaison(order)
        order.signed_at, order.handler_id = at, getattr(who, "id", None)
        self.move(order, "sign", who, S.IN_PROGRESS, at, "")

    def reply(self, order: WorkOrder, at: datetime, reply_id: int | None, text: str) -> None:
        self.move(order, "reply", self.liaison(order), S.REPLIED, at, text,
                   {"reply_id": reply_id, "resolved": True, "contact_way": "电话"})

    def accept(self, order: WorkOrder, completed_at: datetime, at: datetime, reply_id: int | None) -> None:
        order.completed_at, order.closed_at = completed_at, at
        self.move(order, "accept_reply", self.actors.centre, S.CLOSED, at, "回复内容属实，同意办结。",
                   {"reply_id": reply_id})

    def supervise(self, order: WorkOrder, at: datetime, text: str) -> None:
        self.move(order, "supervise", self.actors.centre, order.state, at, text)

    def move(self, order, action, actor, to_state, at, text, data=None) -> None:
        append_event(order, action, actor, from_state=order.state, to_state=to_state, text=text, data=data, at=at)
        order.state = to_state
