"""Authentication rules."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.auth.models import User
from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db

# Checked against when the username is unknown, so both paths cost one Argon2 verify.
_DUMMY = User(password_hash="$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$0Vz0Xb6j1Jw0QpQeW2bU6f6o8m0d7nY3wq5O5mO3m5c")


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, or None."""
    user = db.session.scalars(select(User).where(func.lower(User.username) == username.strip().lower())).first()
    if user is None:
        _DUMMY.check_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    user.last_login_at = now()
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise RuleViolation("当前密码不正确。")
    if current == new:
        raise RuleViolation("新密码不能与当前密码相同。")
    user.set_password(new)
    user.must_change_password = False
    db.session.flush()
