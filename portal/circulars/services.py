"""Draft, refresh, edit and issue circulars; record read receipts. Services flush, views commit.

A section follows the data until a person edits it: `Circular.drafted` keeps the machine's last
draft, and a section whose text still equals it is re-drafted whenever the snapshot or a field it
depends on (the new deadline) changes. An edited section is kept unless re-drafting is asked for.
"""
from __future__ import annotations

from datetime import date, datetime
from hashlib import sha256

from flask import current_app
from sqlalchemy import select

from portal.circulars import document, drafting, fonts, outputs, queries, snapshot as snap
from portal.circulars.models import (LOCKED, Circular, CircularOutput, CircularRead, CircularRecipient,
                                     CircularStatus)
from portal.clock import now
from portal.database import add_once
from portal.errors import Conflict, RuleViolation
from portal.extensions import db
from portal.orders.models import WorkOrder
from portal.orders.privacy import public_text
from portal.units.models import Unit
from portal.units.queries import first_level

def issuer_default() -> str:
    """发文机关: the CIRCULAR_ISSUER setting, 安康市政务服务中心 by default."""
    return current_app.config.get("CIRCULAR_ISSUER") or drafting.DEFAULT_ISSUER


def ensure_draft(circular: Circular) -> None:
    if circular.is_issued:
        raise RuleViolation(LOCKED)


def _check_version(circular: Circular, version: int | None) -> None:
    if version is not None and version != circular.version:
        raise Conflict("该通报已被他人修改，请刷新页面后重试。")


def _propose(circular: Circular) -> None:
    """Typical cases for staff to confirm or remove (not printed until confirmed): neither picked nor dismissed."""
    snapshot = circular.snapshot
    taken = {c["order_id"] for c in snapshot.get("cases", [])} | set(snapshot.get("dismissed_cases", []))
    circular.snapshot = {**circular.snapshot, "proposed_cases": queries.proposed_cases(circular, taken)}


def _validate_period(start: date, end: date, as_of: datetime) -> None:
    if end < start:
        raise RuleViolation("结束日期不能早于开始日期。")
    if as_of.date() < start:
        raise RuleViolation("统计截止时间不能早于通报期间的开始日期。")


def _apply_drafts(circular: Circular, *, redraft: bool | set = False) -> None:
    """Re-draft every section still equal to its last draft (all, or the named ones, when asked)."""
    fresh = drafting.draft_all(circular.snapshot, circular.new_deadline)
    old, texts = circular.drafted or {}, dict(circular.texts or {})
    for key in drafting.SECTION_KEYS:
        asked = redraft is True or (isinstance(redraft, set) and key in redraft)
        if asked or key not in texts or texts[key] == old.get(key):
            texts[key] = fresh[key]
    circular.texts, circular.drafted = texts, fresh


def draft(start: date, end: date, as_of: datetime, actor) -> Circular:
    """Freeze the figures of [start, end] as of `as_of` and draft every section from them."""
    _validate_period(start, end, as_of)
    circular = Circular(
        title=drafting.default_title(start, end), period_start=start, period_end=end, as_of=as_of,
        status=CircularStatus.DRAFT, snapshot=snap.build(start, end, as_of), texts={}, drafted={},
        addressee_line=drafting.DEFAULT_ADDRESSEES, issuer=issuer_default(), issue_date=as_of.date(),
        cc=drafting.DEFAULT_CC, created_by_id=actor.id if actor else None,
    )
    _apply_drafts(circular)
    _propose(circular)
    units = db.session.scalars(first_level(select(Unit)).where(Unit.active.is_(True))
                               .order_by(Unit.display_order, Unit.id))
    circular.recipients = [CircularRecipient(unit_id=u.id) for u in units]
    db.session.add(circular)
    db.session.flush()
    return circular


def refresh(circular: Circular, actor, *, as_of: datetime | None = None, redraft: bool = False,
            version: int | None = None) -> Circular:
    """Re-compute a draft's snapshot (optionally as of a new time); picked cases stay as frozen."""
    ensure_draft(circular)
    _check_version(circular, version)
    as_of = as_of or circular.as_of
    _validate_period(circular.period_start, circular.period_end, as_of)
    fresh = snap.build(circular.period_start, circular.period_end, as_of)
    fresh["cases"] = list(circular.snapshot.get("cases", []))
    fresh["dismissed_cases"] = list(circular.snapshot.get("dismissed_cases", []))
    circular.as_of, circular.snapshot = as_of, fresh
    _apply_drafts(circular, redraft=redraft)
    _propose(circular)
    circular.updated_at = now()
    db.session.flush()
    return circular


FIELDS = ("title", "doc_number", "addressee_line", "issuer", "issue_date", "cc", "new_deadline")


def update(circular: Circular, actor, *, fields: dict, texts: dict, case_texts: dict[int, str] | None = None,
           unit_ids: list[int] | None = None, version: int | None = None) -> Circular:
    """Save edited fields and section texts of a draft."""
    ensure_draft(circular)
    _check_version(circular, version)
    for name in FIELDS:
        if name in fields:
            setattr(circular, name, fields[name])
    merged = dict(circular.texts or {})
    merged.update({k: v for k, v in texts.items() if k in drafting.SECTION_KEYS})
    circular.texts = merged
    if case_texts:
        cases = [dict(c) for c in circular.snapshot.get("cases", [])]
        for case in cases:
            if case["order_id"] in case_texts:
                case["text"] = case_texts[case["order_id"]]
        circular.snapshot = {**circular.snapshot, "cases": cases}
    if unit_ids is not None:
        set_recipients(circular, unit_ids)
    _apply_drafts(circular)  # the new deadline may change 四、下步要求 while it is unedited
    circular.updated_at = now()
    db.session.flush()
    return circular


def redraft_section(circular: Circular, actor, key: str) -> Circular:
    """Put the machine's draft back into one section."""
    ensure_draft(circular)
    if key not in drafting.SECTION_KEYS:
        raise RuleViolation("没有这一部分。")
    _apply_drafts(circular, redraft={key})
    circular.updated_at = now()
    db.session.flush()
    return circular


def set_recipients(circular: Circular, unit_ids: list[int]) -> None:
    ensure_draft(circular)
    wanted = set(db.session.scalars(first_level(select(Unit.id)).where(Unit.id.in_(unit_ids))))  # no sub-units
    if not wanted:
        raise RuleViolation("请至少选择一个主送单位。")
    keep = [r for r in circular.recipients if r.unit_id in wanted]
    have = {r.unit_id for r in keep}
    circular.recipients = keep + [CircularRecipient(unit_id=u) for u in sorted(wanted - have)]


def period_order(circular: Circular, order_id: int) -> WorkOrder:
    order = db.session.get(WorkOrder, order_id)
    start, end = circular.period_start, circular.period_end
    if order is None or not (start <= order.accepted_at.date() <= end):
        raise RuleViolation("只能选用本期受理的工单作为典型案例。")
    return order


def add_case(circular: Circular, actor, order_id: int) -> Circular:
    """Pick an order of the period as a typical case; its text is frozen from the order now."""
    ensure_draft(circular)
    order = period_order(circular, order_id)
    cases = [dict(c) for c in circular.snapshot.get("cases", [])]
    if any(c["order_id"] == order.id for c in cases):
        raise RuleViolation(f"工单 {order.number} 已在典型案例中。")
    cases.append({
        "order_id": order.id, "number": order.number, "kind": order.kind.value,
        "title": public_text(order, order.title), "accepted_at": order.accepted_at.strftime(snap.DT_FORMAT),
        "text": public_text(order, drafting.default_case_text(order)),
    })
    return _save_cases(circular, cases=cases, proposed_cases=_without(circular, "proposed_cases", order.id))


def dismiss_case(circular: Circular, actor, order_id: int) -> Circular:
    """Remove a proposed typical case: it is not proposed again for this circular, even after a refresh."""
    ensure_draft(circular)
    dismissed = sorted(set(circular.snapshot.get("dismissed_cases", [])) | {order_id})
    return _save_cases(circular, proposed_cases=_without(circular, "proposed_cases", order_id),
                       dismissed_cases=dismissed)


def remove_case(circular: Circular, actor, order_id: int) -> Circular:
    ensure_draft(circular)
    return _save_cases(circular, cases=_without(circular, "cases", order_id))


def _without(circular: Circular, key: str, order_id: int) -> list:
    return [c for c in circular.snapshot.get(key, []) if c["order_id"] != order_id]


def _save_cases(circular: Circular, **lists) -> Circular:
    """Replace lists of the snapshot (a new dict, so the JSON column sees the change) and flush."""
    circular.snapshot = {**circular.snapshot, **lists}
    circular.updated_at = now()
    db.session.flush()
    return circular


def issue(circular: Circular, actor, *, version: int | None = None) -> Circular:
    """印发: lock snapshot and texts for ever and publish to the addressed units."""
    ensure_draft(circular)
    _check_version(circular, version)
    if not circular.recipients:
        raise RuleViolation("请至少选择一个主送单位。")
    if not (circular.title or "").strip():
        raise RuleViolation("请填写通报标题。")
    # Read everything first and set the status last: a lazy load may autoflush, and once the status
    # says issued the backstop in models.py refuses any further change.
    actor_id, at = (actor.id if actor else None), now()
    circular.issued_at, circular.issued_by_id = at, actor_id
    circular.issue_date = circular.issue_date or at.date()
    # The files are rendered once, now, from exactly what is locked; downloads serve these bytes for ever.
    doc = document.from_circular(circular)
    used = fonts.report()
    circular.outputs = [
        CircularOutput(fmt=fmt, content=body, sha256=sha256(body).hexdigest(), size=len(body),
                       fonts=used if fmt == "pdf" else None, created_at=at)
        for fmt, body in ((fmt, outputs.render(doc, fmt)) for fmt in outputs.FORMATS)
    ]
    circular.status = CircularStatus.ISSUED
    db.session.flush()
    return circular


def delete_draft(circular: Circular, actor) -> None:
    ensure_draft(circular)
    db.session.delete(circular)
    db.session.flush()


def record_read(circular: Circular, user) -> CircularRead | None:
    """The first time a user of an addressed unit opens an issued circular (later opens change nothing)."""
    if not circular.is_issued or not user.is_unit_user or user.unit_id is None:
        return None
    existing = db.session.scalar(
        select(CircularRead).where(CircularRead.circular_id == circular.id, CircularRead.user_id == user.id))
    if existing:
        return existing
    read = CircularRead(circular_id=circular.id, unit_id=user.unit_id, user_id=user.id, first_read_at=now())
    if add_once(read):  # two tabs opened at once: the first receipt counts, the second changes nothing
        return read
    return db.session.scalar(
        select(CircularRead).where(CircularRead.circular_id == circular.id, CircularRead.user_id == user.id))
