"""Authentication rules."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from portal.auth.models import User
from portal.auth.passwords import password_problem
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
    return user


def note_login(user: User) -> None:
    """Save the last-login time and the audit entry in a transaction of their own, best effort.

    A read-only or full database must not stop anyone from signing in to read: a failure is logged
    (by record_now) and the login goes on.
    """
    from portal.audit.services import Actor, record_now

    user_id = user.id
    try:
        user.last_login_at = now()
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("could not save the last login time of user %s", user_id)
    record_now("login.ok", actor=Actor.of_user(user), username=user.username.lower())


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise RuleViolation("当前密码不正确。")
    if current == new:
        raise RuleViolation("新密码不能与当前密码相同。")
    problem = password_problem(new, user.username)
    if problem:
        raise RuleViolation(problem)
    user.set_password(new)
    user.must_change_password = False
    db.session.flush()
