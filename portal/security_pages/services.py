"""The security administrator's changes. Each is audited in the same transaction; flush, never commit."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from portal.audit import lockout
from portal.audit.services import record
from portal.auth import second_factor
from portal.auth.accounts import end_sessions
from portal.auth.models import SecurityPolicy, User, UserDuty
from portal.auth.roles import ADMIN_ROLES, Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.units.models import Unit
from portal.units.queries import active_admin_count

# Lockout purposes of portal.auth.views: the login, its second step, a password asked again.
LOCK_PURPOSES = {"login": "登录", "second_factor": "两步验证", "reauth": "修改密码"}


def can_hold_admin_roles(user: User) -> bool:
    """Centre accounts only: an administrator or a centre staff account that becomes one."""
    return user.unit_id is None and (user.role in ADMIN_ROLES or user.role == Role.CENTRE_STAFF)


def set_admin_roles(actor: User, user: User, chosen: Iterable[Role]) -> None:
    """Give `user` exactly the chosen administrator roles; none left makes a centre staff account."""
    chosen = [r for r in ADMIN_ROLES if r in set(chosen)]
    if not can_hold_admin_roles(user):
        raise RuleViolation("只有中心账号（无所属单位的中心工作人员或管理员）可以担任管理员角色。")
    before = user.roles
    after = set(chosen) or {Role.CENTRE_STAFF}
    if after == before:
        return
    for role in ADMIN_ROLES:
        if role in before and role not in after and user.active and active_admin_count(user.id, role) == 0:
            raise RuleViolation(f"{user.name} 是最后一个启用的{role.label}，不能取消其{role.label}角色。")
    if user.id == actor.id and Role.SECURITY_ADMIN not in after:
        raise RuleViolation("不能取消自己的安全管理员角色，请由其他安全管理员操作。")
    old_label = user.roles_label
    user.role = chosen[0] if chosen else Role.CENTRE_STAFF
    extra = set(chosen[1:])
    held = {d.role for d in user.duties}
    user.duties = [d for d in user.duties if d.role in extra] + [UserDuty(role=r) for r in chosen[1:] if r not in held]
    end_sessions(user)  # what the session may do changed
    db.session.flush()
    db.session.refresh(user, ["duties"])
    record("security.roles", object_type="user", object_id=user.id,
           detail=f"{user.username} 角色由“{old_label}”改为“{user.roles_label}”")


def reset_second_factor(actor: User, user: User) -> None:
    """Forget a user's second factor: they enrol again at their next login. Their sessions end."""
    if user.id == actor.id:
        raise RuleViolation("不能在此重置自己的两步验证，请由其他安全管理员操作。")
    second_factor.reset(user, detail=f"安全管理员 {actor.username} 重置 {user.username} 的两步验证")


def locks(user: User) -> dict[str, object]:
    """The lockouts on this account now: purpose label -> until."""
    found = {}
    for purpose, label in LOCK_PURPOSES.items():
        until = lockout.locked_until(user.username, purpose)
        if until is not None:
            found[label] = until
    return found


def unlock(actor: User, user: User) -> None:
    """End every lockout of the account before its time (the failures stay in the audit log)."""
    ended = [purpose for purpose in LOCK_PURPOSES if lockout.locked_until(user.username, purpose) is not None]
    if not ended:
        raise RuleViolation(f"{user.name} 的账号当前未被锁定。")
    for purpose in ended:
        record(f"{purpose}.unlocked", username=user.username.lower(), object_type="user", object_id=user.id,
               detail=f"安全管理员 {actor.username} 解除锁定")
    db.session.flush()


def save_policy(actor: User, *, for_all: bool, unit_ids: Iterable[int]) -> None:
    """Who must sign in with a second factor besides administrators and centre staff."""
    policy = db.session.get(SecurityPolicy, 1) or SecurityPolicy(id=1)
    policy.second_factor_for_all = for_all
    db.session.add(policy)
    wanted = set(unit_ids)
    changed = []
    for unit in db.session.scalars(select(Unit).order_by(Unit.display_order)):
        if unit.second_factor_required != (unit.id in wanted):
            unit.second_factor_required = unit.id in wanted
            changed.append(f"{unit.short_name}{'须' if unit.id in wanted else '不再须'}两步验证")
    db.session.flush()
    record("security.policy", detail=("全部账号须两步验证" if for_all else "管理员和中心工作人员须两步验证")
           + ("；" + "、".join(changed) if changed else ""))
