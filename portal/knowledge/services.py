"""KB entry lifecycle: 草稿 → 已报送 → 已发布 / 已退回; revisions; 已失效. Services flush, never commit."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge import categories, search
from portal.knowledge.fields import EntryData
from portal.knowledge.lifecycle import actions_for, move
from portal.knowledge.models import EntryStatus, KBEntry, KBEntryVersion

__all__ = ["actions_for", "create_entry", "delete_draft", "publish_entry", "retire_entry", "return_entry",
           "submit_entry", "update_entry"]


def _check_unit_actor(actor, entry_unit_id: int) -> None:
    if actor.is_unit_user and actor.unit_id != entry_unit_id:
        raise RuleViolation("只能维护本单位的知识库条目。")


def _check_title_free(unit_id: int, title: str, entry_id: int | None = None) -> None:
    stmt = select(func.count(KBEntry.id)).where(KBEntry.unit_id == unit_id, KBEntry.title == title)
    if entry_id is not None:
        stmt = stmt.where(KBEntry.id != entry_id)
    if db.session.scalar(stmt):
        raise RuleViolation(f"本单位已有标题为“{title}”的条目，标题在单位内不能重复。")


def _check_category(category: str, kept: str | None = None) -> None:
    """The 类目 is empty or an active one of the list; an entry may keep the (retired) one it already has."""
    if category and category != kept and category not in categories.active_names():
        raise RuleViolation(f"类目“{category}”不在可选的类目中（可能已停用或改名，请重新选择）。")


def create_entry(actor, unit_id: int, data: EntryData, *, submit: bool = False) -> KBEntry:
    """Create a draft (version 1) for a unit; submit it at once when asked."""
    _check_unit_actor(actor, unit_id)
    _check_title_free(unit_id, data.title)
    _check_category(data.category)
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
    _check_title_free(entry.unit_id, data.title, entry.id)
    current = entry.current_version
    _check_category(data.category, kept=current.category)
    move(entry, "edit", actor)
    if current.status == EntryStatus.DRAFT:
        data.apply(current)
        version = current
    else:
        version = _new_version(actor, entry, data)
    entry.title = data.title
    db.session.flush()
    return version


def start_revision(actor, entry: KBEntry) -> KBEntryVersion:
    """A new draft version with the live text, for a change other than the text (a file added)."""
    return _new_version(actor, entry, EntryData.of(entry.published_version))


def submit_entry(actor, entry: KBEntry) -> KBEntryVersion:
    """报送: send the working version to the centre. A returned version is resubmitted as a new version."""
    current = entry.current_version
    returned = entry.status == EntryStatus.RETURNED
    at = now()
    move(entry, "submit", actor, at)
    if returned:
        current = _new_version(actor, entry, EntryData.of(current))
    current.status = EntryStatus.SUBMITTED
    current.submitted_at = at
    db.session.flush()
    return current


def publish_entry(actor, entry: KBEntry) -> KBEntryVersion:
    """The centre publishes the submitted version; it replaces the live one (kept as 历史版本)."""
    current = entry.current_version
    move(entry, "publish", actor)
    previous = entry.published_version
    if previous is not None and previous.id != current.id:
        previous.status = EntryStatus.SUPERSEDED
    current.status = EntryStatus.PUBLISHED
    current.reviewed_at = now()
    current.reviewer_id = actor.id
    entry.published_version = current
    for attachment in entry.attachments:  # the files that came with this version are reviewed with it
        if attachment.approved_at is None:
            attachment.approved_at = current.reviewed_at
    db.session.flush()
    search.index_entry(entry)
    return current


def return_entry(actor, entry: KBEntry, reason: str) -> KBEntryVersion:
    """The centre returns the submitted version with a reason; a live published version stays live."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请填写退回原因。")
    current = entry.current_version
    move(entry, "return", actor)
    current.status = EntryStatus.RETURNED
    current.return_reason = reason
    current.reviewed_at = now()
    current.reviewer_id = actor.id
    db.session.flush()
    return current


def retire_entry(actor, entry: KBEntry) -> None:
    """已失效: the entry leaves search; its versions stay for the record."""
    move(entry, "retire", actor)
    db.session.flush()
    search.index_entry(entry)


def delete_draft(actor, entry: KBEntry) -> list[str]:
    """Delete an entry that was never submitted, with its attachments; return their stored names."""
    move(entry, "delete", actor)
    stored = [a.stored_name for a in entry.attachments]
    entry.current_version = None
    db.session.flush()
    for version in list(entry.versions):
        db.session.delete(version)
    db.session.delete(entry)
    db.session.flush()
    return stored
