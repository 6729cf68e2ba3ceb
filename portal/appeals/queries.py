"""Appeal lists (scoped through portal/web/scoping.py) and the counts for the home page."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.appeals.models import Appeal, AppealStatus
from portal.auth.roles import Role
from portal.extensions import db
from portal.web.scoping import scope

S = AppealStatus


@dataclass(frozen=True)
class AppealTab:
    key: str
    label: str
    statuses: tuple[AppealStatus, ...]


CENTRE_TABS = (
    AppealTab("to_decide", "待审核", (S.CENTRE_REVIEW,)),
    AppealTab("decided", "已审核", (S.UPHELD, S.REJECTED)),
    AppealTab("all", "全部", tuple(S)),
)
UNIT_TABS = (
    AppealTab("open", "审核中", (S.LEADER_REVIEW, S.CENTRE_REVIEW)),
    AppealTab("closed", "已办结", (S.LEADER_REJECTED, S.UPHELD, S.REJECTED)),
    AppealTab("all", "全部", tuple(S)),
)
LEADER_TABS = (AppealTab("to_approve", "待我审批", (S.LEADER_REVIEW,)), *UNIT_TABS)


def tabs_for(user) -> tuple[AppealTab, ...]:
    if user.is_centre:
        return CENTRE_TABS
    return LEADER_TABS if user.role == Role.UNIT_LEADER else UNIT_TABS


def _select(user, statuses):
    return scope(select(Appeal), Appeal, user).where(Appeal.status.in_(statuses))


def appeal_list(user, tab: AppealTab, limit: int = 200) -> list[Appeal]:
    stmt = (_select(user, tab.statuses).options(selectinload(Appeal.order), selectinload(Appeal.unit))
            .order_by(Appeal.filed_at.desc(), Appeal.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def count(user, statuses) -> int:
    stmt = _select(user, statuses).with_only_columns(func.count(Appeal.id))
    return int(db.session.scalar(stmt) or 0)


def home_todo(user) -> dict | None:
    """Appeals waiting for this user: the leader's approvals, the centre's decisions."""
    if user.is_centre:
        return {"label": "待审核申诉", "count": count(user, (S.CENTRE_REVIEW,)), "tab": "to_decide"}
    if user.role == Role.UNIT_LEADER:
        return {"label": "待审批申诉", "count": count(user, (S.LEADER_REVIEW,)), "tab": "to_approve"}
    return None
