"""The admin's user management. A change to a unit's people is also a RosterEvent of that unit."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.auth.accounts import end_sessions, new_account, temporary_password
from portal.auth.models import User
from portal.auth.roles import ADMIN_ROLES, Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.units.models import Unit
from portal.orders.queries import open_orders_stmt
from portal.units.queries import active_admin_count
from portal.units.services import person, record_roster_event


@dataclass
class UserData:
    username: str
    name: str
    mobile: str | None
    role: Role
    unit: Unit | None


def _check_role_unit(data: UserData) -> None:
    if data.role.is_unit_role and data.unit is None:
        raise RuleViolation(f"{data.role.label}必须选择所属单位。")
    if not data.role.is_unit_role and data.unit is not None:
        raise RuleViolation(f"{data.role.label}是中心账号，不能选择所属单位。")


def _describe(user: User) -> str:
    return f"{user.role.label} {person(user.name, user.mobile)}，账号 {user.username}"


def create_user(actor: User, data: UserData) -> tuple[User, str]:
    """Create an account with a temporary password (shown once); return (user, password)."""
    _check_role_unit(data)
    _check_not_admin_role(data)
    user, password = new_account(username=data.username, name=data.name, mobile=data.mobile,
                                 role=data.role, unit=data.unit)
    if user.unit_id:
        record_roster_event(user.unit_id, "add_user", actor, f"中心新增{_describe(user)}", subject=user)
    return user, password


def _guard_last_admin(user: User, why: str) -> None:
    for role in ADMIN_ROLES:
        if role in user.roles and user.active and active_admin_count(exclude_id=user.id, role=role) == 0:
            raise RuleViolation(f"{user.name} 是最后一个启用的{role.label}，不能{why}。")


def _check_not_admin_role(data: UserData, user: User | None = None) -> None:
    """Administrator roles are given and taken by the security administrator (三权分立), not here."""
    if (user is None or data.role != user.role) and (data.role in ADMIN_ROLES or (user and user.role in ADMIN_ROLES)):
        raise RuleViolation("管理员角色（系统管理员、安全管理员、审计管理员）由安全管理员在“安全管理”中分配。")


def open_orders_handled_by(user: User) -> int:
    if user.unit_id is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(open_orders_stmt(user).subquery())) or 0


def update_user(actor: User, user: User, data: UserData) -> User:
    _check_role_unit(data)
    _check_not_admin_role(data, user)
    if user.id == actor.id and data.role != user.role:
        raise RuleViolation("不能修改自己的角色，请由其他管理员操作。")
    if data.unit is not user.unit or data.role != user.role:
        # Only a liaison of the order's unit can be handed the orders: moving the handler away first
        # would leave them with nobody the unit leader can reassign.
        open_count = open_orders_handled_by(user)
        if open_count:
            raise RuleViolation(f"{user.name} 仍是本单位 {open_count} 件未办结工单的经办人，"
                                "请先由单位负责人在“本单位人员”中移交后再调整其单位或角色。")
    old_unit = user.unit
    before = {"用户名": user.username, "姓名": user.name, "手机号": user.mobile or "", "角色": user.role.label}
    after = {"用户名": data.username.strip(), "姓名": data.name.strip(), "手机号": (data.mobile or "").strip(),
             "角色": data.role.label}
    changes = [f"{k}由“{before[k] or '未填写'}”改为“{after[k] or '未填写'}”" for k in before if before[k] != after[k]]
    role_or_unit_changed = data.role != user.role or (data.unit is not old_unit)
    user.username, user.name = after["用户名"], after["姓名"]
    user.mobile = after["手机号"] or None
    user.role, user.unit = data.role, data.unit
    if role_or_unit_changed:
        end_sessions(user)  # what the session may do changed with the role or unit
    db.session.flush()
    if data.unit is not old_unit:
        if old_unit is not None:
            target = data.unit.short_name if data.unit else "中心"
            record_roster_event(old_unit.id, "transfer_out", actor, f"{user.name} 调离本单位，转至{target}", subject=user)
        if data.unit is not None:
            source = old_unit.short_name if old_unit else "中心"
            record_roster_event(data.unit.id, "transfer_in", actor, f"{_describe(user)} 由{source}调入", subject=user)
    elif changes and user.unit_id:
        record_roster_event(user.unit_id, "update_user", actor, f"修改 {user.name} 的信息：" + "；".join(changes),
                            subject=user)
    return user


def deactivate_user(actor: User, user: User) -> int:
    """Deactivate an account and end its sessions; return the open orders it still handles."""
    if user.id == actor.id:
        raise RuleViolation("不能停用自己的账号。")
    if not user.active:
        raise RuleViolation(f"{user.name} 的账号已是停用状态。")
    _guard_last_admin(user, "停用")
    user.active = False
    end_sessions(user)
    if user.unit_id:
        record_roster_event(user.unit_id, "deactivate_user", actor, f"中心停用{_describe(user)}", subject=user)
    db.session.flush()
    return open_orders_handled_by(user)


def reactivate_user(actor: User, user: User) -> None:
    if user.active:
        raise RuleViolation(f"{user.name} 的账号已是启用状态。")
    user.active = True
    if user.unit_id:
        record_roster_event(user.unit_id, "reactivate_user", actor, f"中心启用{_describe(user)}", subject=user)
    db.session.flush()


def reset_password(actor: User, user: User) -> str:
    """Give the user a temporary password (shown once) to change at next login; end its sessions."""
    if user.id == actor.id:
        raise RuleViolation("不能在此重置自己的密码，请使用“修改密码”。")
    password = temporary_password()
    user.set_password(password)  # bumps session_version: every session of the user ends
    user.must_change_password = True
    if user.unit_id:
        record_roster_event(user.unit_id, "reset_password", actor, f"中心重置 {user.name}（{user.username}）的密码",
                            subject=user)
    db.session.flush()
    return password
