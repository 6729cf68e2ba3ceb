"""Roles of DOMAIN.md §2."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
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
    Role.ADMIN: "中心管理员",
    Role.CENTRE_STAFF: "中心工作人员",
    Role.OPERATOR: "话务员",
    Role.UNIT_LEADER: "单位负责人",
    Role.LIAISON: "联络员",
}
UNIT_ROLES = frozenset({Role.UNIT_LEADER, Role.LIAISON})
CENTRE_ROLES = frozenset({Role.ADMIN, Role.CENTRE_STAFF})
ALL_ROLES = frozenset(Role)
