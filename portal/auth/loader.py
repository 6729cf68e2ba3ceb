"""Flask-Login user loading; the session id is '<user id>:<session version>'."""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.extensions import db, login_manager


@cache
def _user_by_id():
    """The user with the unit and roles (duties) every request reads: one query, its statement built once."""
    return (select(User).where(User.id == bindparam("user_id"))
            .options(joinedload(User.unit), joinedload(User.duties)))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.scalars(_user_by_id(), {"user_id": int(user_id)}).unique().first()
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user
