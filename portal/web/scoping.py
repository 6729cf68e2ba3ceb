"""Unit scoping, done once: every unit-facing query goes through here.

A model that belongs to a unit defines `unit_scope_column()` returning the column that holds
the unit id. Centre roles see every row; unit roles see only rows of their own unit.
"""
from __future__ import annotations

from flask import abort
from sqlalchemy import Select, false, select

from portal.extensions import db


def scope(stmt: Select, model, user) -> Select:
    """Restrict a SELECT on `model` to what `user` may see."""
    if user.is_unit_user:
        if user.unit_id is None:
            return stmt.where(false())
        return stmt.where(model.unit_scope_column() == user.unit_id)
    return stmt


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
