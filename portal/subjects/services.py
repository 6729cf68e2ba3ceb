"""Rules of the 事项分类 tree. Two levels; names unique among siblings; retired subjects stay on orders.

A retired subject keeps its orders and its place in old statistics; it is no longer offered for new
orders (portal.orders.queries.subject_groups lists active subjects under active parents only).
Services take the actor, flush, never commit; every change is logged as one line.
"""
from __future__ import annotations

import logging
import re

from sqlalchemy import func, select

from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.models import Subject
from portal.subjects.queries import find_path

log = logging.getLogger("portal.admin")
NAME_MAX = 50
# The separators a path may be written with (`社会保障/养老保险`, `社会保障›养老保险`): never inside a name.
PATH_SPLIT = re.compile(r"\s*(?:›|>|＞|/|／|\\)\s*")
FORBIDDEN = re.compile(r"[›>＞/／\\]")


def split_path(text: str) -> list[str]:
    """`社会保障/养老保险` → ['社会保障', '养老保险'] (also ›, >, ＞, ／, \\)."""
    return [p for p in PATH_SPLIT.split((text or "").strip()) if p]


def name_problem(name: str) -> str | None:
    """The Chinese reason a subject name is not acceptable, or None."""
    if not name:
        return "请填写分类名称。"
    if len(name) > NAME_MAX:
        return f"分类名称不超过 {NAME_MAX} 个字。"
    if FORBIDDEN.search(name):
        return "分类名称不能包含 /、›、> 或 \\（它们用于分隔一级和二级分类）。"
    return None


def _sibling(name: str, parent_id: int | None, excluding: int | None = None) -> Subject | None:
    stmt = select(Subject).where(Subject.name == name, Subject.parent_id.is_(None) if parent_id is None
                                 else Subject.parent_id == parent_id)
    if excluding is not None:
        stmt = stmt.where(Subject.id != excluding)
    return db.session.scalars(stmt).first()


def _check_place(name: str, parent: Subject | None, subject: Subject | None = None) -> None:
    problem = name_problem(name)
    if problem:
        raise RuleViolation(problem)
    if parent is not None and parent.parent_id is not None:
        raise RuleViolation("事项分类只有两级：上级只能是一级分类。")
    if parent is not None and subject is not None:
        if parent.id == subject.id:
            raise RuleViolation("分类不能以自己为上级。")
        if subject.children:
            raise RuleViolation(f"“{subject.name}”下有二级分类，不能移到其他分类之下。")
    clash = _sibling(name, parent.id if parent else None, subject.id if subject else None)
    if clash is not None:
        where = f"“{parent.name}”下" if parent else "一级分类中"
        retired = "（已停用，可直接启用它）" if not clash.active else ""
        raise RuleViolation(f"{where}已有名为“{name}”的分类{retired}。")


def _next_order(parent_id: int | None) -> int:
    stmt = select(func.max(Subject.display_order)).where(
        Subject.parent_id.is_(None) if parent_id is None else Subject.parent_id == parent_id)
    return (db.session.scalar(stmt) or 0) + 10


def add_subject(actor, name: str, parent: Subject | None, display_order: int | None = None,
                active: bool = True) -> Subject:
    name = (name or "").strip()
    _check_place(name, parent)
    if active and parent is not None and not parent.active:
        raise RuleViolation(f"上级分类“{parent.name}”已停用，请先启用。")
    subject = Subject(name=name, parent=parent, active=active,
                      display_order=_next_order(parent.id if parent else None) if display_order is None else display_order)
    db.session.add(subject)
    db.session.flush()
    log.info("subject added: id=%s path=%s by=%s", subject.id, subject.path, _who(actor))
    return subject


def update_subject(actor, subject: Subject, *, name: str, parent: Subject | None, display_order: int) -> list[str]:
    """Rename, move and reorder in one step; return what changed (Chinese, for the notice)."""
    name = (name or "").strip()
    _check_place(name, parent, subject)
    changes = []
    if name != subject.name:
        changes.append(f"名称“{subject.name}”改为“{name}”")
        subject.name = name
    if (parent.id if parent else None) != subject.parent_id:
        before = subject.parent.name if subject.parent else "一级分类"
        changes.append(f"从“{before}”移到“{parent.name if parent else '一级分类'}”")
        subject.parent = parent
    if display_order != subject.display_order:
        changes.append(f"排序 {subject.display_order} 改为 {display_order}")
        subject.display_order = display_order
    db.session.flush()
    if changes:
        log.info("subject changed: id=%s path=%s changes=%s by=%s", subject.id, subject.path, "；".join(changes),
                 _who(actor))
    return changes


def retire(actor, subject: Subject) -> list[Subject]:
    """Retire the subject (and, for a first-level one, its active children); return what was retired."""
    if not subject.active:
        raise RuleViolation(f"“{subject.name}”已停用。")
    retired = [subject, *[c for c in subject.children if c.active]]
    for s in retired:
        s.active = False
    db.session.flush()
    log.info("subject retired: ids=%s path=%s by=%s", ",".join(str(s.id) for s in retired), subject.path, _who(actor))
    return retired


def reactivate(actor, subject: Subject) -> None:
    if subject.active:
        raise RuleViolation(f"“{subject.name}”未停用。")
    if subject.parent is not None and not subject.parent.active:
        raise RuleViolation(f"上级分类“{subject.parent.name}”已停用，请先启用上级分类。")
    subject.active = True
    db.session.flush()
    log.info("subject reactivated: id=%s path=%s by=%s", subject.id, subject.path, _who(actor))


def missing_paths(parts: list[str], subjects: list[Subject]) -> list[list[str]]:
    """The paths ensure_path() would create for `parts`, given the existing subjects."""
    if find_path(parts[:1], subjects) is None:
        return [parts[:1], *([parts] if len(parts) == 2 else [])]
    return [parts] if len(parts) == 2 and find_path(parts, subjects) is None else []


def ensure_path(actor, parts: list[str]) -> list[Subject]:
    """Create the missing subjects of a one- or two-level path (imports); return the ones created."""
    created = []
    parent = find_path(parts[:1], list(db.session.scalars(select(Subject).where(Subject.parent_id.is_(None)))))
    if parent is None:
        parent = add_subject(actor, parts[0], None)
        created.append(parent)
    if len(parts) == 2 and _sibling(parts[1], parent.id) is None:
        # History imported under a retired first-level subject is added retired too.
        created.append(add_subject(actor, parts[1], parent, active=parent.active))
    return created


def _who(actor) -> str:
    return getattr(actor, "username", None) or "cli"
