"""下级单位: the tree of sub-units under a first-level unit, kept by its unit leader and by admins.

A unit leader changes only units strictly below its own unit (a sub-unit leader likewise inside its own
sub-tree); admins change any sub-unit. A sub-unit stays in its first-level unit's tree for ever: moving it
elsewhere would hand its orders' history to another unit. Every change is a RosterEvent of the sub-unit, so
the centre sees it in the roster log. Services take the actor, flush, never commit.
"""
from __future__ import annotations

from sqlalchemy import func, select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.enums import CURRENT_TASK_STATES
from portal.orders.models import OrderTask
from portal.units.models import Unit
from portal.units.queries import first_level_of
from portal.units.services import record_roster_event
from portal.web.scoping import subtree_ids


def may_manage(actor: User, unit: Unit) -> bool:
    """The actor may change `unit` (a sub-unit): an admin, or a leader of a unit above it."""
    if unit.parent_id is None:
        return False  # first-level units are the admin's unit pages
    if actor.has_role(Role.ADMIN):
        return True
    return (actor.role == Role.UNIT_LEADER and actor.unit_id is not None and unit.id != actor.unit_id
            and unit.id in subtree_ids(actor.unit_id))


def may_add_under(actor: User, parent: Unit) -> bool:
    if actor.has_role(Role.ADMIN):
        return True
    return actor.role == Role.UNIT_LEADER and actor.unit_id is not None and parent.id in subtree_ids(actor.unit_id)


def _require(allowed: bool) -> None:
    if not allowed:
        raise RuleViolation("只能管理本单位的下级单位。")


def _clean(name: str | None, label: str, limit: int) -> str:
    name = (name or "").strip()
    if not name:
        raise RuleViolation(f"请填写{label}。")
    if len(name) > limit:
        raise RuleViolation(f"{label}不能超过{limit}个字。")
    return name


def _check_sibling_names(parent_id: int, short_name: str, full_name: str, exclude_id: int | None) -> None:
    """Names are unique among the sub-units of one unit (城关镇 may be a township of several counties)."""
    stmt = select(Unit).where(Unit.parent_id == parent_id)
    if exclude_id is not None:
        stmt = stmt.where(Unit.id != exclude_id)
    for other in db.session.scalars(stmt):
        clash = {other.short_name, other.full_name} & {short_name, full_name}
        if clash:
            raise RuleViolation(f"同一上级单位下已有名为“{clash.pop()}”的下级单位。")


def add_sub_unit(actor: User, parent: Unit, *, short_name: str, full_name: str | None = None,
                 display_order: int | None = None) -> Unit:
    """Add a sub-unit (乡镇/街道/科室/村) under `parent`."""
    _require(may_add_under(actor, parent))
    if not parent.active:
        raise RuleViolation(f"“{parent.short_name}”已停用，不能在其下新增下级单位。")
    short_name = _clean(short_name, "简称", 50)
    full_name = _clean(full_name or short_name, "全称", 100)
    _check_sibling_names(parent.id, short_name, full_name, None)
    if display_order is None:
        last = db.session.scalar(select(func.max(Unit.display_order)).where(Unit.parent_id == parent.id))
        display_order = (last or 0) + 1
    unit = Unit(short_name=short_name, full_name=full_name, parent=parent, group=first_level_of(parent).group,
                display_order=display_order, aliases=[], active=True)
    db.session.add(unit)
    db.session.flush()
    record_roster_event(unit.id, "add_sub_unit", actor, f"在“{parent.path_name}”下新增下级单位“{full_name}”")
    db.session.flush()
    return unit


def update_sub_unit(actor: User, unit: Unit, *, short_name: str, full_name: str, display_order: int) -> bool:
    """Rename or reorder a sub-unit; return False when nothing changed."""
    _require(may_manage(actor, unit))
    short_name = _clean(short_name, "简称", 50)
    full_name = _clean(full_name, "全称", 100)
    if (short_name, full_name, display_order) == (unit.short_name, unit.full_name, unit.display_order):
        return False
    _check_sibling_names(unit.parent_id, short_name, full_name, unit.id)
    changes = [f"{label}由“{old}”改为“{new}”" for label, old, new in (
        ("简称", unit.short_name, short_name), ("全称", unit.full_name, full_name),
        ("排序", unit.display_order, display_order)) if old != new]
    unit.short_name, unit.full_name, unit.display_order = short_name, full_name, display_order
    record_roster_event(unit.id, "update_sub_unit", actor, "；".join(changes))
    db.session.flush()
    return True


def move_sub_unit(actor: User, unit: Unit, new_parent: Unit) -> bool:
    """Put a sub-unit under another unit of the same first-level unit's tree; never under itself."""
    _require(may_manage(actor, unit) and may_add_under(actor, new_parent))
    if new_parent.id == unit.parent_id:
        return False
    if new_parent.id in subtree_ids(unit.id):
        raise RuleViolation(f"不能把“{unit.short_name}”移到它自己或它的下级单位之下。")
    if first_level_of(new_parent).id != first_level_of(unit).id:
        raise RuleViolation("下级单位只能在本单位内部调整隶属关系。")
    _check_sibling_names(new_parent.id, unit.short_name, unit.full_name, unit.id)
    old_path = unit.parent.path_name
    unit.parent = new_parent
    record_roster_event(unit.id, "move_sub_unit", actor,
                        f"“{unit.short_name}”由“{old_path}”调至“{new_parent.path_name}”之下")
    db.session.flush()
    return True


def open_task_counts(unit_ids: list[int]) -> dict[int, int]:
    """unit id -> its current tasks (not yet released, accepted or withdrawn)."""
    if not unit_ids:
        return {}
    stmt = (select(OrderTask.unit_id, func.count(OrderTask.id))
            .where(OrderTask.unit_id.in_(unit_ids), OrderTask.state.in_(CURRENT_TASK_STATES))
            .group_by(OrderTask.unit_id))
    return dict(db.session.execute(stmt).all())


def deactivate_sub_unit(actor: User, unit: Unit) -> None:
    """Stop a sub-unit; refused while it has active sub-units or open tasks. Its users can no longer log in."""
    _require(may_manage(actor, unit))
    if not unit.active:
        raise RuleViolation(f"“{unit.short_name}”已是停用状态。")
    below = db.session.scalar(select(func.count(Unit.id)).where(Unit.parent_id == unit.id, Unit.active.is_(True)))
    if below:
        raise RuleViolation(f"“{unit.short_name}”还有 {below} 个启用的下级单位，请先停用或调整它们。")
    count = open_task_counts([unit.id]).get(unit.id, 0)
    if count:
        raise RuleViolation(f"“{unit.short_name}”仍有 {count} 件未办结的下派工单，请先收回或待其办结后再停用。")
    unit.active = False
    record_roster_event(unit.id, "deactivate_unit", actor, f"停用下级单位“{unit.path_name}”，其账号均无法登录")
    db.session.flush()


def reactivate_sub_unit(actor: User, unit: Unit) -> None:
    _require(may_manage(actor, unit))
    if unit.active:
        raise RuleViolation(f"“{unit.short_name}”已是启用状态。")
    if not unit.parent.active:
        raise RuleViolation(f"上级单位“{unit.parent.short_name}”已停用，请先启用上级单位。")
    unit.active = True
    record_roster_event(unit.id, "reactivate_unit", actor, f"启用下级单位“{unit.path_name}”")
    db.session.flush()
