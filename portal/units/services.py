"""Units and their rosters: create, edit, (de)activate, and the unit leader's roster changes.

Every change that concerns a unit's people is a RosterEvent, so the centre sees it in the roster log
(DOMAIN.md §2). Services take the actor, flush, and never commit.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.admin.accounts import end_sessions, new_account
from portal.auth.models import User
from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.transitions import transition
from portal.orders.models import WorkOrder
from portal.units.models import RosterEvent, Unit
from portal.orders.conditions import FINISHED_STATES
from portal.units.queries import name_owners, open_orders_stmt


def record_roster_event(unit_id: int, action: str, actor: User | None, detail: str,
                        subject: User | None = None) -> RosterEvent:
    event = RosterEvent(unit_id=unit_id, action=action, actor_id=getattr(actor, "id", None),
                        subject_user_id=getattr(subject, "id", None), detail=detail)
    db.session.add(event)
    return event


def person(name: str | None, mobile: str | None) -> str:
    """张三（13800000000）, or 未填写."""
    if not name and not mobile:
        return "未填写"
    return f"{name or '未填写'}（{mobile}）" if mobile else (name or "未填写")


def split_aliases(text: str | None) -> list[str]:
    """Aliases typed separated by 、 , ， ; ； or whitespace, deduplicated, order kept."""
    if not text:
        return []
    for sep in "、,，;；\n\t\r　":
        text = text.replace(sep, " ")
    seen: list[str] = []
    for part in text.split(" "):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


@dataclass
class UnitData:
    full_name: str
    short_name: str
    group: str
    display_order: int
    aliases: list[str]
    lead_name: str | None = None
    lead_mobile: str | None = None


def check_names(data: UnitData, unit: Unit | None) -> None:
    """Every name resolves to one unit only (the orders import resolves 承办单位 by any of them)."""
    owners = name_owners(exclude_id=unit.id if unit else None)
    for name in [data.full_name, data.short_name, *data.aliases]:
        other = owners.get(name)
        if other is not None:
            raise RuleViolation(f"名称“{name}”已是单位“{other.full_name}”的名称或别名。")


def apply_data(unit: Unit, data: UnitData, actor: User | None) -> None:
    own = {data.full_name, data.short_name}
    unit.full_name = data.full_name
    unit.short_name = data.short_name
    unit.group = data.group
    unit.display_order = data.display_order
    unit.aliases = [a for a in data.aliases if a not in own]
    lead_name = (data.lead_name or "").strip() or None
    lead_mobile = (data.lead_mobile or "").strip() or None
    if (lead_name, lead_mobile) != (unit.lead_name, unit.lead_mobile):
        if unit.id is not None:
            record_roster_event(unit.id, "update_lead", actor,
                                f"牵头负责人由 {person(unit.lead_name, unit.lead_mobile)} 变更为 "
                                f"{person(lead_name, lead_mobile)}")
        unit.lead_name, unit.lead_mobile = lead_name, lead_mobile


def create_unit(actor: User | None, data: UnitData, active: bool = True) -> Unit:
    check_names(data, None)
    unit = Unit(active=active)
    apply_data(unit, data, actor)
    db.session.add(unit)
    db.session.flush()
    if unit.lead_name or unit.lead_mobile:
        record_roster_event(unit.id, "update_lead", actor,
                            f"新建单位，牵头负责人 {person(unit.lead_name, unit.lead_mobile)}")
    return unit


def update_unit(actor: User | None, unit: Unit, data: UnitData) -> Unit:
    check_names(data, unit)
    apply_data(unit, data, actor)
    db.session.flush()
    return unit


def unit_open_orders(unit: Unit) -> int:
    stmt = select(func.count(WorkOrder.id)).where(WorkOrder.unit_id == unit.id,
                                                  WorkOrder.state.not_in(FINISHED_STATES))
    return db.session.scalar(stmt) or 0


def deactivate_unit(actor: User, unit: Unit) -> None:
    """Stop a unit; its users can no longer log in. Refused while it still holds open orders."""
    if not unit.active:
        raise RuleViolation(f"单位“{unit.short_name}”已是停用状态。")
    open_count = unit_open_orders(unit)
    if open_count:
        raise RuleViolation(f"单位“{unit.short_name}”仍有 {open_count} 件未办结工单，请先办结或改派后再停用。")
    unit.active = False
    record_roster_event(unit.id, "deactivate_unit", actor, f"停用单位“{unit.full_name}”，本单位账号均无法登录")
    db.session.flush()


def reactivate_unit(actor: User, unit: Unit) -> None:
    if unit.active:
        raise RuleViolation(f"单位“{unit.short_name}”已是启用状态。")
    unit.active = True
    record_roster_event(unit.id, "reactivate_unit", actor, f"启用单位“{unit.full_name}”")
    db.session.flush()


# --- the unit leader's roster ---------------------------------------------------------------------


def _require_liaison_of(actor: User, user: User) -> None:
    if user.unit_id != actor.unit_id:  # the view scopes first; this guards other callers
        raise RuleViolation("只能管理本单位的人员。")
    if user.role != Role.LIAISON:
        raise RuleViolation("单位负责人只能管理本单位的联络员；其他账号请联系中心管理员。")


def add_liaison(actor: User, *, username: str, name: str, mobile: str) -> tuple[User, str]:
    """Add a liaison to the leader's unit; return (user, temporary password shown once)."""
    user, password = new_account(username=username, name=name, mobile=mobile, role=Role.LIAISON, unit=actor.unit)
    record_roster_event(actor.unit_id, "add_user", actor, f"新增联络员 {person(user.name, user.mobile)}，账号 {user.username}",
                        subject=user)
    return user, password


def handover_orders(actor: User, from_user: User, to_user: User) -> int:
    """Move the open orders from_user works in its unit to to_user; each order records the change."""
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


def reactivate_liaison(actor: User, liaison: User) -> None:
    _require_liaison_of(actor, liaison)
    if liaison.active:
        raise RuleViolation(f"{liaison.name} 的账号已是启用状态。")
    liaison.active = True
    record_roster_event(liaison.unit_id, "reactivate_user", actor,
                        f"启用联络员 {person(liaison.name, liaison.mobile)}", subject=liaison)
    db.session.flush()


def update_lead(actor: User, unit: Unit, lead_name: str, lead_mobile: str) -> bool:
    """Change the unit's 牵头负责人; return False when nothing changed."""
    lead_name, lead_mobile = lead_name.strip() or None, lead_mobile.strip() or None
    if (lead_name, lead_mobile) == (unit.lead_name, unit.lead_mobile):
        return False
    record_roster_event(unit.id, "update_lead", actor,
                        f"牵头负责人由 {person(unit.lead_name, unit.lead_mobile)} 变更为 {person(lead_name, lead_mobile)}")
    unit.lead_name, unit.lead_mobile = lead_name, lead_mobile
    db.session.flush()
    return True
