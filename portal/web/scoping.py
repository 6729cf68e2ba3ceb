"""Unit scoping, done once: every unit-facing query goes through here.

A model that belongs to a unit defines `unit_scope_column()` returning the column that holds the unit id, or
`unit_scope_clause(unit_ids)` when it belongs to units in more than one way (an order: held by its lead unit,
or given to co-units and sub-units as tasks). Centre roles see every row. A unit user sees the rows of its own
unit and of every unit below it (下级单位, any depth), never those of the units above or beside it.
"""
from __future__ import annotations

from functools import cache

from flask import abort, g, has_request_context
from sqlalchemy import Integer, Select, bindparam, false, select

from portal.extensions import db


def _request_cache(name: str) -> dict:
    """A dict that lives as long as the request (outside a request: a fresh one each call)."""
    return g.setdefault(name, {}) if has_request_context() else {}


def visible_unit_ids(user) -> list[int]:
    """The user's unit and its whole sub-tree (a sub-unit user: its own sub-tree only)."""
    if not user.is_unit_user or user.unit_id is None:
        return []
    cache = _request_cache("_visible_unit_ids")
    if user.unit_id not in cache:
        cache[user.unit_id] = subtree_ids(user.unit_id)
    return cache[user.unit_id]


@cache
def _subtree():
    """The recursive query on unit.parent_id, the unit a bound parameter (built once: every unit user's
    request runs it)."""
    # The table, not the model: web/ sits below the features (tests/test_dependencies.py).
    unit = db.metadata.tables["unit"]
    tree = select(bindparam("unit_id", type_=Integer).label("id")).cte("tree", recursive=True)
    tree = tree.union_all(select(unit.c.id).where(unit.c.parent_id == tree.c.id))
    return select(tree.c.id)


def subtree_ids(unit_id: int) -> list[int]:
    """`unit_id` and every unit below it."""
    return list(db.session.scalars(_subtree(), {"unit_id": unit_id}))


def scope(stmt: Select, model, user) -> Select:
    """Restrict a SELECT on `model` to what `user` may see."""
    if user.is_unit_user:
        unit_ids = visible_unit_ids(user)
        if not unit_ids:
            return stmt.where(false())
        if hasattr(model, "unit_scope_clause"):
            # The clause may ask the database which form it needs: once per request and model.
            cache = _request_cache("_unit_scope_clauses")
            key = (model, tuple(unit_ids))
            if key not in cache:
                cache[key] = model.unit_scope_clause(unit_ids)
            return stmt.where(cache[key])
        return stmt.where(among(model.unit_scope_column(), unit_ids))
    return stmt


def among(column, unit_ids: list[int]):
    """`column IN unit_ids`, as `=` for the usual single unit (the same plan and statement cache as before)."""
    return column == unit_ids[0] if len(unit_ids) == 1 else column.in_(unit_ids)


def scoped_select(model, user) -> Select:
    return scope(select(model), model, user)


def get_scoped_or_404(model, ident, user, *, for_update: bool = False):
    """Load one row the user may see, or abort 404 (never 403: existence is not disclosed)."""
    stmt = scope(select(model).where(model.id == ident), model, user)
    if for_update:
        stmt = stmt.with_for_update()
    obj = db.session.scalars(stmt).first()
    if obj is None:
        abort(404)
    return obj
