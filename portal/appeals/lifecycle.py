"""The appeal lifecycle as data, and the one function that moves an appeal through it (like the KB entries'
portal/knowledge/lifecycle.py).

Appeals are not order actions: an order is usually closed when its rating or lateness is appealed, and an
appeal never changes the order's state or lifecycle columns. Each step is still written to the order's
流转记录 (portal.appeals.services appends the event), and an upheld one records the fact the figures read.

TABLE maps (status, action) to the next status; WHO says who may act (the leader of the appeal's unit, the
centre); move() checks both and applies the status; actions_for() answers the pages from the same data.
"""
from __future__ import annotations

from portal.appeals.models import Appeal
from portal.appeals.models import AppealStatus as S
from portal.auth.roles import Role
from portal.errors import RuleViolation

LEADER = "leader"  # the unit leader of the appeal's unit
CENTRE = "centre"  # ADMIN or CENTRE_STAFF

TABLE: dict[tuple[S, str], S] = {
    (S.LEADER_REVIEW, "leader_approve"): S.CENTRE_REVIEW,
    (S.LEADER_REVIEW, "leader_reject"): S.LEADER_REJECTED,
    (S.CENTRE_REVIEW, "uphold"): S.UPHELD,
    (S.CENTRE_REVIEW, "reject"): S.REJECTED,
}
WHO = {"leader_approve": LEADER, "leader_reject": LEADER, "uphold": CENTRE, "reject": CENTRE}
LABELS = {
    "file": "提出申诉",
    "leader_approve": "负责人同意申诉",
    "leader_reject": "负责人不同意申诉",
    "uphold": "申诉成立",
    "reject": "申诉不成立",
}
# The 流转记录 action of each step (an upheld lateness appeal is the history's own action).
EVENT_ACTIONS = {action: f"appeal_{action}" for action in LABELS}


class AppealForbidden(RuleViolation):
    """The user may not take this step on this appeal (HTTP 403)."""

    status = 403


def _capacity(appeal: Appeal, user) -> set[str]:
    found = set()
    if user.role == Role.UNIT_LEADER and user.unit_id == appeal.unit_id:
        found.add(LEADER)
    if user.is_centre:
        found.add(CENTRE)
    return found


def why_not(appeal: Appeal, action: str, user) -> str | None:
    """Why `user` may not do `action` on `appeal` now (Chinese), or None."""
    if action not in WHO:
        return "未知的操作。"
    if WHO[action] not in _capacity(appeal, user):
        return "只有本单位负责人可以审批申诉。" if WHO[action] == LEADER else "只有中心可以审核申诉。"
    if (appeal.status, action) not in TABLE:
        return f"该申诉当前为“{appeal.status.label}”，不能{LABELS[action]}。"
    return None


def actions_for(appeal: Appeal, user) -> set[str]:
    return {action for (status, action) in TABLE if status == appeal.status and why_not(appeal, action, user) is None}


def move(appeal: Appeal, action: str, user) -> S:
    """Check the action and apply its status. Returns the new status."""
    message = why_not(appeal, action, user)
    if message:
        raise (AppealForbidden if WHO.get(action) not in _capacity(appeal, user) else RuleViolation)(message)
    appeal.status = TABLE[(appeal.status, action)]
    return appeal.status
