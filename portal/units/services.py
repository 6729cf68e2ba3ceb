"""Units and their rosters: create, edit, (de)activate, and the unit leader's roster changes.

Every change that concerns a unit's people is a RosterEvent, so the centre sees it in the roster log
(DOMAIN.md §2). Services take the actor, flush, and never commit.
"""
from __future__ import annotations

from dataclasses import dataclass


from portal.auth.accounts import new_account
from portal.auth.models import User
from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.units.models import RosterEvent, Unit
from portal.units.queries import name_owners
from portal.web.scoping import subtree_ids


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
    reply_signoff: str | None = None  # REPLY_SIGNOFF key; None keeps the unit's setting


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
    if data.reply_signoff is not None:
        unit.reply_signoff = data.reply_signoff
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


def reactivate_unit(actor: User, unit: Unit) -> None:
    if unit.active:
        raise RuleViolation(f"单位“{unit.short_name}”已是启用状态。")
    unit.active = True
    record_roster_event(unit.id, "reactivate_unit", actor, f"启用单位“{unit.full_name}”")
    db.session.flush()


# --- the unit leader's roster ---------------------------------------------------------------------


def _require_liaison_of(actor: User, user: User) -> None:
    # A leader keeps the roster of its unit and of every unit below it (下级单位). The view scopes first;
    # this guards other callers.
    if actor.unit_id is None or user.unit_id not in subtree_ids(actor.unit_id):
        raise RuleViolation("只能管理本单位及下级单位的人员。")
    if user.role != Role.LIAISON:
        raise RuleViolation("单位负责人只能管理本单位的联络员；其他账号请联系中心管理员。")


def add_liaison(actor: User, *, username: str, name: str, mobile: str, unit: Unit | None = None) -> tuple[User, str]:
    """Add a liaison to the leader's unit or one below it; return (user, temporary password shown once)."""
    unit = unit or actor.unit
    if actor.role != Role.ADMIN and (actor.unit_id is None or unit.id not in subtree_ids(actor.unit_id)):
        raise RuleViolation("只能为本单位及下级单位添加联络员。")
    if not unit.active:
        raise RuleViolation(f"“{unit.short_name}”已停用，不能添加联络员。")
    user, password = new_account(username=username, name=name, mobile=mobile, role=Role.LIAISON, unit=unit)
    record_roster_event(unit.id, "add_user", actor, f"新增联络员 {person(user.name, user.mobile)}，账号 {user.username}",
                        subject=user)
    return user, password


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
