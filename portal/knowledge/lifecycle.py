"""The KB entry lifecycle (DOMAIN.md §5) as data, and the one function that moves an entry through it.

TABLE maps (status, action) to the entry's next status; WHO says who may act (the entry's own unit, the
centre); GUARDS add the rules beyond the status (only a never-submitted draft may be deleted; only an entry
that was once submitted may be retired). move() checks all three and applies the status and its effect;
actions_for() — what the pages offer — is read from the same data, so the two cannot disagree.
"""
from __future__ import annotations

from datetime import datetime

from portal.clock import now
from portal.errors import RuleViolation
from portal.knowledge.models import EntryStatus as S
from portal.knowledge.models import KBEntry

OWN = "own"        # a liaison or unit leader of the entry's unit
CENTRE = "centre"  # ADMIN or CENTRE_STAFF
DELETED = "deleted"

EDITABLE = (S.DRAFT, S.RETURNED, S.PUBLISHED)
# Editing a returned or published entry starts a new draft version; the published one stays live. So does
# attaching a file to a published entry: the file waits for review with that revision.
TABLE: dict[tuple[S, str], S | str] = {
    **{(s, "edit"): S.DRAFT for s in EDITABLE},
    (S.DRAFT, "attach"): S.DRAFT,
    (S.RETURNED, "attach"): S.RETURNED,
    (S.PUBLISHED, "attach"): S.DRAFT,
    (S.DRAFT, "submit"): S.SUBMITTED,
    (S.RETURNED, "submit"): S.SUBMITTED,  # resubmitted as a new version
    (S.SUBMITTED, "publish"): S.PUBLISHED,
    (S.SUBMITTED, "return"): S.RETURNED,
    (S.DRAFT, "delete"): DELETED,
    **{(s, "retire"): S.RETIRED for s in (S.DRAFT, S.SUBMITTED, S.RETURNED, S.PUBLISHED)},
}
WHO = {
    "edit": {OWN}, "attach": {OWN}, "submit": {OWN}, "delete": {OWN},
    "publish": {CENTRE}, "return": {CENTRE}, "retire": {OWN, CENTRE},
}
MESSAGES = {
    "edit": "不能修改", "attach": "不能上传附件", "submit": "没有可报送的草稿", "publish": "不在待审核状态",
    "return": "不在待审核状态", "delete": "不能删除", "retire": "不能设为失效",
}


def _never_submitted(entry: KBEntry) -> str | None:
    return None if entry.first_submitted_at is None else "已报送过的条目不能删除，可申请失效。"


def _once_submitted(entry: KBEntry) -> str | None:
    # A draft nobody ever saw is deleted, not retired: retiring it would keep its title taken for ever.
    return None if entry.first_submitted_at is not None else "从未报送的草稿不能设为失效，可直接删除。"


GUARDS = {"delete": _never_submitted, "retire": _once_submitted}


def _capacity(entry: KBEntry, user) -> set[str]:
    found = set()
    if user.is_unit_user and user.unit_id == entry.unit_id:
        found.add(OWN)
    if user.is_centre:
        found.add(CENTRE)
    return found


def why_not(entry: KBEntry, action: str, user) -> str | None:
    """Why `user` may not do `action` on `entry` now (Chinese), or None."""
    if not (_capacity(entry, user) & WHO[action]):
        return "只能维护本单位的知识库条目。" if CENTRE not in WHO[action] else "只有中心可以审核知识库条目。"
    if (entry.status, action) not in TABLE:
        return f"条目{entry.status.label}，{MESSAGES[action]}。"
    guard = GUARDS.get(action)
    return guard(entry) if guard else None


def actions_for(entry: KBEntry, user) -> set[str]:
    """What `user` may do with `entry` now; templates ask this instead of re-checking states."""
    return {action for (status, action) in TABLE if status == entry.status and why_not(entry, action, user) is None}


def move(entry: KBEntry, action: str, user, at: datetime | None = None) -> S | str:
    """Check the action and apply its status (and the moments it records). Returns the new status."""
    message = why_not(entry, action, user)
    if message:
        raise RuleViolation(message)
    to = TABLE[(entry.status, action)]
    at = at or now()
    if action == "submit" and entry.first_submitted_at is None:
        entry.first_submitted_at = at
    if action == "retire":
        entry.retired_at = at
    if to != DELETED:
        entry.status = to
    return to
