"""Roles of DOMAIN.md §2."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    # The three administrator roles of 等保 (三权分立): ADMIN is the system administrator (its value is
    # the old single admin role's, so its grants stay as they were); one person may hold several of them.
    ADMIN = "admin"
    SECURITY_ADMIN = "security_admin"
    AUDITOR = "auditor"
    CENTRE_STAFF = "centre_staff"
    OPERATOR = "operator"
    UNIT_LEADER = "unit_leader"
    LIAISON = "liaison"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_unit_role(self) -> bool:
        return self in UNIT_ROLES


ROLE_LABELS = {
    Role.ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDITOR: "审计管理员",
    Role.CENTRE_STAFF: "中心工作人员",
    Role.OPERATOR: "话务员",
    Role.UNIT_LEADER: "单位负责人",
    Role.LIAISON: "联络员",
}
UNIT_ROLES = frozenset({Role.UNIT_LEADER, Role.LIAISON})
CENTRE_ROLES = frozenset({Role.ADMIN, Role.CENTRE_STAFF})
ALL_ROLES = frozenset(Role)
# Held together by one person where a centre has one (portal.auth.models.UserDuty).
ADMIN_ROLES = (Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR)
# Roles that must sign in with a second factor whatever the settings say.
SECOND_FACTOR_ROLES = frozenset({*ADMIN_ROLES, Role.CENTRE_STAFF})
