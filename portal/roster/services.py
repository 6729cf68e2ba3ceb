"""Changes to a unit and its people that must respect the orders they hold (DOMAIN.md §2).

A unit holding open orders is not stopped; a liaison who still works open orders leaves only after handing
them over, and each order records the hand-over through the lifecycle. The roster events themselves are the
units feature's (record_roster_event).
"""
from __future__ import annotations

from sqlalchemy import func, select

from portal.auth.accounts import end_sessions
from portal.auth.models import User
from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.conditions import open_sql
from portal.orders.models import WorkOrder
from portal.orders.queries import open_orders_stmt
from portal.orders.transitions import transition
from portal.units.models import Unit
from portal.units.services import _require_liaison_of, person, record_roster_event


def unit_open_orders(unit: Unit) -> int:
    """How many open orders the unit holds."""
    stmt = select(func.count(WorkOrder.id)).where(WorkOrder.unit_id == unit.id,
                                                  open_sql())
    return db.session.scalar(stmt) or 0


def deactivate_unit(actor: User, unit: Unit) -> None:
    """Stop a unit; its users can no longer log in. Refused while it still holds open orders."""
    if not unit.active:
        raise RuleViolation(f"单位“{unit.short_name}”已是停用状态。")
    below = db.session.scalar(select(func.count(Unit.id)).where(Unit.parent_id == unit.id, Unit.active.is_(True)))
    if below:
        raise RuleViolation(f"单位“{unit.short_name}”还有 {below} 个启用的下级单位，请先停用下级单位。")
    open_count = unit_open_orders(unit)
    if open_count:
        raise RuleViolation(f"单位“{unit.short_name}”仍有 {open_count} 件未办结工单，请先办结或改派后再停用。")
    unit.active = False
    record_roster_event(unit.id, "deactivate_unit", actor, f"停用单位“{unit.full_name}”，本单位账号均无法登录")
    db.session.flush()


def handover_orders(actor: User, from_user: User, to_user: User) -> int:
    """Move the open orders from_user works in its unit to to_user; each order records the change."""
    if actor.role == Role.UNIT_LEADER:  # a leader manages liaisons only: another leader is the admin's business
        _require_liaison_of(actor, from_user)
    if to_user.id == from_user.id:
        raise RuleViolation("接手人不能是原经办人本人。")
    orders = list(db.session.scalars(open_orders_stmt(from_user).order_by(WorkOrder.id)))
    if not orders:
        raise RuleViolation(f"{from_user.name} 没有未办结的工单需要移交。")
    text = f"经办人由{from_user.name}变更为{to_user.name}"
    for order in orders:
        transition(order, "handover", actor, text=text, to_user=to_user)
    numbers = "、".join(o.number for o in orders[:20]) + ("等" if len(orders) > 20 else "")
    record_roster_event(from_user.unit_id, "handover", actor,
                        f"将 {from_user.name} 的 {len(orders)} 件未办结工单移交给 {to_user.name}（{numbers}）",
                        subject=from_user)
    db.session.flush()
    return len(orders)


def deactivate_liaison(actor: User, liaison: User, successor: User | None = None) -> int:
    """Deactivate a liaison of the leader's unit, first handing its open orders to a successor.

    Returns how many orders were handed over. Refused for oneself, and while the liaison still
    works open orders and no successor is named (orders must never stall with a departed liaison).
    """
    _require_liaison_of(actor, liaison)
    if liaison.id == actor.id:
        raise RuleViolation("不能停用自己的账号。")
    if not liaison.active:
        raise RuleViolation(f"{liaison.name} 的账号已是停用状态。")
    moved = 0
    open_count = db.session.scalar(select(func.count()).select_from(open_orders_stmt(liaison).subquery())) or 0
    if open_count:
        if successor is None:
            raise RuleViolation(f"{liaison.name} 仍是 {open_count} 件未办结工单的经办人，请选择接手的联络员。")
        moved = handover_orders(actor, liaison, successor)
    liaison.active = False
    end_sessions(liaison)
    record_roster_event(liaison.unit_id, "deactivate_user", actor,
                        f"停用联络员 {person(liaison.name, liaison.mobile)}", subject=liaison)
    db.session.flush()
    return moved
