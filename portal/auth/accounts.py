"""Account primitives shared by the admin's user pages and a unit leader's roster."""
from __future__ import annotations

import secrets

from portal.auth.models import User
from portal.auth.passwords import password_problem
from portal.auth.roles import Role
from portal.extensions import db

# No look-alikes (0/O, 1/l/I): a temporary password is read out or copied by hand.
_LETTERS = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
TEMP_PASSWORD_LENGTH = 12


def temporary_password() -> str:
    """A random password that passes the password policy (portal.auth.passwords)."""
    while True:
        chars = [secrets.choice(_LETTERS) for _ in range(TEMP_PASSWORD_LENGTH - 3)]
        chars += [secrets.choice(_DIGITS) for _ in range(3)]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        if password_problem(password) is None:
            return password


def new_account(*, username: str, name: str, mobile: str | None, role: Role, unit) -> tuple[User, str]:
    """Add a user with a temporary password they must change at first login; return (user, password)."""
    password = temporary_password()
    user = User(username=username.strip(), name=name.strip(), mobile=(mobile or "").strip() or None,
                role=role, unit=unit, active=True, must_change_password=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user, password


def end_sessions(user: User) -> None:
    """Invalidate every session of the user (the session id carries session_version)."""
    user.session_version = (user.session_version or 0) + 1
