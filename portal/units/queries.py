"""Read-only queries for units, rosters and the roster log."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from portal.auth.models import User
from portal.auth.roles import Role
from portal.clock import now
from portal.extensions import db
from portal.units.models import RosterEvent, Unit

# An order is finished for its handler once closed or merged into another.


@dataclass
class Page:
    """A page of results with the attributes the pager macro reads."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1


def paginate_list(items: list, page: int, per_page: int) -> Page:
    pages = max(1, math.ceil(len(items) / per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return Page(items=items[start:start + per_page], page=page, per_page=per_page, total=len(items))


def paginate_select(stmt, page: int, per_page: int) -> Page:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)


def _has_active_liaison():
    """Correlated EXISTS: the unit has an active liaison with a mobile on record (DOMAIN.md §2)."""
    return exists().where(
        User.unit_id == Unit.id,
        User.role == Role.LIAISON,
        User.active.is_(True),
        User.mobile.is_not(None),
        User.mobile != "",
    )


def units_without_liaison() -> list[Unit]:
    """Active first-level units that no active liaison with a mobile can be reached at (the centre's list;
    a sub-unit without one is its unit leader's business, shown on the 下级单位 page)."""
    stmt = first_level(select(Unit)).where(Unit.active.is_(True), ~_has_active_liaison())
    return list(db.session.scalars(stmt.order_by(Unit.display_order, Unit.id)))


def unit_ids_without_liaison() -> set[int]:
    return set(db.session.scalars(select(Unit.id).where(~_has_active_liaison())))


def name_owners(exclude_id: int | None = None) -> dict[str, Unit]:
    """Every name (full, short, alias) of every first-level unit except one, mapped to its unit."""
    owners: dict[str, Unit] = {}
    # Only first-level units: sub-units are named within their parent (SubUnitForm, roster.tree).
    for unit in db.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)):
        if unit.id == exclude_id:
            continue
        for name in unit.names:
            owners.setdefault(name, unit)
    return owners


def search_units(q: str = "", group: str = "", active: str = "", no_liaison: bool = False,
                 page: int = 1, per_page: int = 20) -> Page:
    """First-level units matching a search in any of their names, filtered and paged.

    Aliases live in a JSON list whose stored text escapes Chinese differently per database, so the
    name match runs here; the centre has at most a few hundred units.
    """
    stmt = first_level(select(Unit)).order_by(Unit.display_order, Unit.id)
    if group:
        stmt = stmt.where(Unit.group == group)
    if active in ("1", "0"):
        stmt = stmt.where(Unit.active.is_(active == "1"))
    if no_liaison:
        stmt = stmt.where(~_has_active_liaison())
    units = list(db.session.scalars(stmt))
    q = q.strip()
    if q:
        units = [u for u in units if any(q.lower() in name.lower() for name in u.names)]
    return paginate_list(units, page, per_page)


def search_users(q: str = "", role: str = "", unit_id: int | None = None, active: str = "",
                 page: int = 1, per_page: int = 20) -> Page:
    stmt = select(User).outerjoin(Unit, User.unit_id == Unit.id).options(selectinload(User.duties))
    q = q.strip()
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            func.lower(User.username).like(like) | func.lower(User.name).like(like) | User.mobile.like(like)
        )
    if role:
        stmt = stmt.where(User.holding(Role(role)))
    if unit_id:
        stmt = stmt.where(User.unit_id == unit_id)
    if active in ("1", "0"):
        stmt = stmt.where(User.active.is_(active == "1"))
    stmt = stmt.order_by(Unit.display_order.is_(None).desc(), Unit.display_order, User.role, User.username)
    return paginate_select(stmt, page, per_page)


def active_admin_count(exclude_id: int | None = None, role: Role = Role.ADMIN) -> int:
    """Active users holding `role` (one of the administrator roles)."""
    stmt = select(func.count(User.id)).where(User.holding(role), User.active.is_(True))
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    return db.session.scalar(stmt) or 0


def roster(unit_id: int) -> list[User]:
    """A unit's people: leaders first, then liaisons; active before inactive."""
    stmt = (
        select(User).where(User.unit_id == unit_id)
        .order_by(User.active.desc(), User.role.desc(), User.name, User.id)
    )
    return list(db.session.scalars(stmt))


def active_liaisons(unit_id: int, exclude_id: int | None = None) -> list[User]:
    stmt = select(User).where(User.unit_id == unit_id, User.role == Role.LIAISON, User.active.is_(True))
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    return list(db.session.scalars(stmt.order_by(User.name, User.id)))


def roster_events(unit_id: int | None = None, date_from: date | None = None, date_to: date | None = None,
                  page: int = 1, per_page: int = 20) -> Page:
    """The roster log, newest first."""
    stmt = select(RosterEvent).order_by(RosterEvent.created_at.desc(), RosterEvent.id.desc())
    if unit_id:
        stmt = stmt.where(RosterEvent.unit_id == unit_id)
    if date_from:
        stmt = stmt.where(RosterEvent.created_at >= datetime.combine(date_from, time()))
    if date_to:
        stmt = stmt.where(RosterEvent.created_at < datetime.combine(date_to + timedelta(days=1), time()))
    return paginate_select(stmt, page, per_page)


def recent_roster_change_count(days: int) -> int:
    since = datetime.combine(now().date() - timedelta(days=days - 1), time())
    return db.session.scalar(select(func.count(RosterEvent.id)).where(RosterEvent.created_at >= since)) or 0


def last_roster_change(unit_ids: list[int]) -> dict[int, datetime]:
    if not unit_ids:
        return {}
    stmt = (
        select(RosterEvent.unit_id, func.max(RosterEvent.created_at))
        .where(RosterEvent.unit_id.in_(unit_ids)).group_by(RosterEvent.unit_id)
    )
    return {unit_id: at for unit_id, at in db.session.execute(stmt)}


def all_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.display_order, Unit.id)))


# --- the unit tree (下级单位) -------------------------------------------------------------------------


def first_level(stmt):
    """Restrict a SELECT on Unit to first-level units: the centre dispatches to, counts and addresses these."""
    return stmt.where(Unit.parent_id.is_(None))


def first_level_units(active_only: bool = False) -> list[Unit]:
    """First-level units in display order: the centre's unit lists, choices and figures use these only."""
    stmt = first_level(select(Unit)).order_by(Unit.display_order, Unit.id)
    if active_only:
        stmt = stmt.where(Unit.active.is_(True))
    return list(db.session.scalars(stmt))


@dataclass
class TreeNode:
    unit: Unit
    depth: int  # 1: a direct sub-unit of the tree's top


def _children() -> dict[int, list[Unit]]:
    """Every sub-unit under its parent's id, siblings in display order (one query; a city has a few thousand)."""
    children: dict[int, list[Unit]] = {}
    stmt = select(Unit).where(Unit.parent_id.is_not(None)).order_by(Unit.display_order, Unit.id)
    for unit in db.session.scalars(stmt):
        children.setdefault(unit.parent_id, []).append(unit)
    return children


def _walk(children: dict[int, list[Unit]], top_id: int) -> list[TreeNode]:
    nodes: list[TreeNode] = []
    stack = [(unit, 1) for unit in reversed(children.get(top_id, []))]
    while stack:
        unit, depth = stack.pop()
        nodes.append(TreeNode(unit, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(unit.id, [])))
    return nodes


def sub_tree(top: Unit) -> list[TreeNode]:
    """Every unit below `top`, depth first, siblings in display order."""
    return _walk(_children(), top.id)


def sub_trees(tops: list[Unit]) -> dict[int, list[TreeNode]]:
    """The sub-trees of several units at once (the admin's unit list shows them collapsed)."""
    children = _children()
    return {top.id: nodes for top in tops if (nodes := _walk(children, top.id))}


def ancestors(unit: Unit) -> list[Unit]:
    """The units above `unit`, the first-level unit first."""
    chain: list[Unit] = []
    seen = {unit.id}
    while unit.parent is not None and unit.parent.id not in seen:
        unit = unit.parent
        seen.add(unit.id)
        chain.append(unit)
    return list(reversed(chain))


def first_level_of(unit: Unit) -> Unit:
    return (ancestors(unit) or [unit])[0]


def units_in_tree_order() -> list[tuple[Unit, str]]:
    """Every unit with its label for a choice list: each first-level unit followed by its sub-tree."""
    children = _children()
    pairs: list[tuple[Unit, str]] = []
    for top in first_level_units():
        pairs.append((top, top.short_name))
        pairs.extend((n.unit, "　" * n.depth + "└ " + n.unit.short_name) for n in _walk(children, top.id))
    return pairs
