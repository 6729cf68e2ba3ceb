"""Flask-Login user loading; the session id is '<user id>:<session version>'."""
from __future__ import annotations

from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.extensions import db, login_manager


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    # Every request reads the user's roles (duties) and unit (access, second factor, the header): one query.
    user = db.session.get(User, int(user_id), options=(joinedload(User.unit), joinedload(User.duties)))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user
