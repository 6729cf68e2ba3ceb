"""KB entry lifecycle: 草稿 → 已报送 → 已发布 / 已退回; revisions; 已失效. Services flush, never commit."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge import search
from portal.knowledge.fields import EntryData
from portal.knowledge.models import EntryStatus, KBEntry, KBEntryVersion

EDITABLE = (EntryStatus.DRAFT, EntryStatus.RETURNED, EntryStatus.PUBLISHED)


def _check_unit_actor(actor, entry_unit_id: int) -> None:
    if actor.is_unit_user and actor.unit_id != entry_unit_id:
        raise RuleViolation("只能维护本单位的知识库条目。")


def _check_title_free(unit_id: int, title: str, entry_id: int | None = None) -> None:
    stmt = select(func.count(KBEntry.id)).where(KBEntry.unit_id == unit_id, KBEntry.title == title)
    if entry_id is not None:
        stmt = stmt.where(KBEntry.id != entry_id)
    if db.session.scalar(stmt):
        raise RuleViolation(f"本单位已有标题为“{title}”的条目，标题在单位内不能重复。")


def create_entry(actor, unit_id: int, data: EntryData, *, submit: bool = False) -> KBEntry:
    """Create a draft (version 1) for a unit; submit it at once when asked."""
    _check_unit_actor(actor, unit_id)
    _check_title_free(unit_id, data.title)
    entry = KBEntry(unit_id=unit_id, title=data.title, status=EntryStatus.DRAFT, created_by_id=actor.id)
    version = KBEntryVersion(entry=entry, number=1, status=EntryStatus.DRAFT, author_id=actor.id)
    data.apply(version)
    db.session.add_all([entry, version])
    db.session.flush()
    entry.current_version = version
    db.session.flush()
    if submit:
        submit_entry(actor, entry)
    return entry


def _new_version(actor, entry: KBEntry, data: EntryData) -> KBEntryVersion:
    number = (db.session.scalar(select(func.max(KBEntryVersion.number))
                                .where(KBEntryVersion.entry_id == entry.id)) or 0) + 1
    version = KBEntryVersion(entry=entry, number=number, status=EntryStatus.DRAFT, author_id=actor.id)
    data.apply(version)
    db.session.add(version)
    db.session.flush()
    entry.current_version = version
    return version


def update_entry(actor, entry: KBEntry, data: EntryData) -> KBEntryVersion:
    """Edit a draft in place; editing a returned or published entry starts a new version (kept apart)."""
    _check_unit_actor(actor, entry.unit_id)
    if entry.status not in EDITABLE:
        raise RuleViolation(f"条目{entry.status.label}，不能修改。")
    _check_title_free(entry.unit_id, data.title, entry.id)
    current = entry.current_version
    if current.status == EntryStatus.DRAFT:
        data.apply(current)
        version = current
    else:
        version = _new_version(actor, entry, data)
    entry.title = data.title
    entry.status = EntryStatus.DRAFT
    db.session.flush()
    return version


def submit_entry(actor, entry: KBEntry) -> KBEntryVersion:
    """报送: send the working version to the centre. A returned version is resubmitted as a new version."""
    _check_unit_actor(actor, entry.unit_id)
    current = entry.current_version
    if current.status == EntryStatus.RETURNED and entry.status == EntryStatus.RETURNED:
        current = _new_version(actor, entry, EntryData.of(current))
    elif entry.status != EntryStatus.DRAFT or current.status != EntryStatus.DRAFT:
        raise RuleViolation(f"条目{entry.status.label}，没有可报送的草稿。")
    at = now()
    current.status = EntryStatus.SUBMITTED
    current.submitted_at = at
    entry.status = EntryStatus.SUBMITTED
    if entry.first_submitted_at is None:
        entry.first_submitted_at = at
    db.session.flush()
    return current


def _check_in_review(entry: KBEntry) -> KBEntryVersion:
    current = entry.current_version
    if entry.status != EntryStatus.SUBMITTED or current.status != EntryStatus.SUBMITTED:
        raise RuleViolation(f"条目{entry.status.label}，不在待审核状态。")
    return current


def publish_entry(actor, entry: KBEntry) -> KBEntryVersion:
    """The centre publishes the submitted version; it replaces the live one (kept as 历史版本)."""
    if not actor.is_centre:
        raise RuleViolation("只有中心可以审核发布知识库条目。")
    current = _check_in_review(entry)
    previous = entry.published_version
    if previous is not None and previous.id != current.id:
        previous.status = EntryStatus.SUPERSEDED
    current.status = EntryStatus.PUBLISHED
    current.reviewed_at = now()
    current.reviewer_id = actor.id
    entry.published_version = current
    entry.status = EntryStatus.PUBLISHED
    db.session.flush()
    search.index_entry(entry)
    return current


def return_entry(actor, entry: KBEntry, reason: str) -> KBEntryVersion:
    """The centre returns the submitted version with a reason; a live published version stays live."""
    if not actor.is_centre:
        raise RuleViolation("只有中心可以退回知识库条目。")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请填写退回原因。")
    current = _check_in_review(entry)
    current.status = EntryStatus.RETURNED
    current.return_reason = reason
    current.reviewed_at = now()
    current.reviewer_id = actor.id
    entry.status = EntryStatus.RETURNED
    db.session.flush()
    return current


def retire_entry(actor, entry: KBEntry) -> None:
    """已失效: the entry leaves search; its versions stay for the record."""
    _check_unit_actor(actor, entry.unit_id)
    if entry.status == EntryStatus.RETIRED:
        raise RuleViolation("条目已失效。")
    entry.status = EntryStatus.RETIRED
    entry.retired_at = now()
    db.session.flush()
    search.index_entry(entry)


def delete_draft(actor, entry: KBEntry) -> list[str]:
    """Delete an entry that was never submitted, with its attachments; return their stored names."""
    _check_unit_actor(actor, entry.unit_id)
    if entry.first_submitted_at is not None or entry.status != EntryStatus.DRAFT:
        raise RuleViolation("已报送过的条目不能删除，可申请失效。")
    stored = [a.stored_name for a in entry.attachments]
    entry.current_version = None
    db.session.flush()
    for version in list(entry.versions):
        db.session.delete(version)
    db.session.delete(entry)
    db.session.flush()
    return stored


def actions_for(entry: KBEntry, user) -> set[str]:
    """What `user` may do with `entry` now; templates ask this instead of re-checking states."""
    actions: set[str] = set()
    own = user.is_unit_user and user.unit_id == entry.unit_id
    if own:
        if entry.status in EDITABLE:
            actions |= {"edit", "attach"}
        if entry.status in (EntryStatus.DRAFT, EntryStatus.RETURNED):
            actions.add("submit")
        if entry.status == EntryStatus.DRAFT and entry.first_submitted_at is None:
            actions.add("delete")
    if (own or user.is_centre) and entry.status != EntryStatus.RETIRED and entry.first_submitted_at is not None:
        actions.add("retire")
    if user.is_centre and entry.status == EntryStatus.SUBMITTED:
        actions |= {"publish", "return"}
    return actions
