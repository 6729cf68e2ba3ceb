"""Rules of the KB 类目 list: names unique, retired ones stay on old entries but are not offered.

Versions keep the category's name as text (portal.knowledge.models.KBEntryVersion.category); a rename
updates that text on every version, so an entry always shows a name from the list.
Services take the actor, flush, never commit; every change is logged as one line.
"""
from __future__ import annotations

import logging

from sqlalchemy import func, select, update

from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge.models import KBCategory, KBEntryVersion

log = logging.getLogger("portal.admin")
NAME_MAX = 50


def name_problem(name: str) -> str | None:
    """The Chinese reason a category name is not acceptable, or None."""
    if not name:
        return "请填写类目名称。"
    if len(name) > NAME_MAX:
        return f"类目名称不超过 {NAME_MAX} 个字。"
    return None


def all_categories() -> list[KBCategory]:
    return list(db.session.scalars(select(KBCategory).order_by(KBCategory.display_order, KBCategory.id)))


def active_names() -> list[str]:
    return [c.name for c in all_categories() if c.active]


def entry_counts() -> dict[str, int]:
    """Entries per category name (each entry counted by its current version)."""
    from portal.knowledge.models import KBEntry

    stmt = (select(KBEntryVersion.category, func.count()).join(KBEntry, KBEntry.current_version_id == KBEntryVersion.id)
            .group_by(KBEntryVersion.category))
    return dict(db.session.execute(stmt).all())


def _check_name(name: str, category: KBCategory | None = None) -> None:
    problem = name_problem(name)
    if problem:
        raise RuleViolation(problem)
    stmt = select(KBCategory).where(KBCategory.name == name)
    if category is not None:
        stmt = stmt.where(KBCategory.id != category.id)
    clash = db.session.scalars(stmt).first()
    if clash is not None:
        retired = "（已停用，可直接启用它）" if not clash.active else ""
        raise RuleViolation(f"已有名为“{name}”的类目{retired}。")


def add_category(actor, name: str, display_order: int | None = None) -> KBCategory:
    name = (name or "").strip()
    _check_name(name)
    if display_order is None:
        display_order = (db.session.scalar(select(func.max(KBCategory.display_order))) or 0) + 10
    category = KBCategory(name=name, display_order=display_order, active=True)
    db.session.add(category)
    db.session.flush()
    log.info("kb category added: id=%s name=%s by=%s", category.id, name, _who(actor))
    return category


def update_category(actor, category: KBCategory, *, name: str, display_order: int) -> list[str]:
    """Rename (every entry version using the old name follows) and reorder; return what changed."""
    name = (name or "").strip()
    _check_name(name, category)
    changes = []
    if name != category.name:
        changes.append(f"名称“{category.name}”改为“{name}”")
        db.session.execute(update(KBEntryVersion).where(KBEntryVersion.category == category.name)
                           .values(category=name).execution_options(synchronize_session="fetch"))
        category.name = name
    if display_order != category.display_order:
        changes.append(f"排序 {category.display_order} 改为 {display_order}")
        category.display_order = display_order
    db.session.flush()
    if changes:
        log.info("kb category changed: id=%s changes=%s by=%s", category.id, "；".join(changes), _who(actor))
    return changes


def set_active(actor, category: KBCategory, active: bool) -> None:
    if category.active == active:
        raise RuleViolation(f"“{category.name}”{'未停用' if active else '已停用'}。")
    category.active = active
    db.session.flush()
    log.info("kb category %s: id=%s name=%s by=%s", "reactivated" if active else "retired", category.id,
             category.name, _who(actor))


def ensure_categories(actor, names: list[str]) -> list[KBCategory]:
    """Create the categories of `names` not in the list yet (imports); return the ones created."""
    known = {c.name for c in all_categories()}
    return [add_category(actor, name) for name in dict.fromkeys(names) if name not in known]


def _who(actor) -> str:
    return getattr(actor, "username", None) or "cli"
