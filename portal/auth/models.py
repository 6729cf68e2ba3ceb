"""Accounts."""
from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.roles import ADMIN_ROLES, CENTRE_ROLES, Role
from portal.clock import now
from portal.extensions import db

_hasher = PasswordHasher()


def _role_type() -> Enum:
    return Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    mobile: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[Role] = mapped_column(_role_type())
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change or deactivation; part of the session id so old sessions die.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_login_at: Mapped[datetime | None]
    # Second factor (TOTP, RFC 6238): the base32 secret, set when enrolment is confirmed; the last time step
    # a code was accepted for, so a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]

    unit: Mapped["Unit | None"] = relationship(back_populates="users")  # noqa: F821
    # Administrator roles held besides `role` (a centre with one person holds all three). Loaded when asked
    # (the current user's, once a request): the many users loaded as order handlers and actors never need them.
    duties: Mapped[list["UserDuty"]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                    order_by="UserDuty.role")

    # A unit leader's roster is scoped to the leader's unit (portal.web.scoping).
    @classmethod
    def unit_scope_column(cls):
        return cls.unit_id

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active) and (self.unit is None or self.unit.active)

    @property
    def roles(self) -> frozenset[Role]:
        """Every role the user holds: `role` and the administrator duties added to it."""
        return frozenset({self.role, *(d.role for d in self.duties)})

    @property
    def roles_label(self) -> str:
        return "、".join(r.label for r in Role if r in self.roles)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def is_centre(self) -> bool:
        return bool(self.roles & CENTRE_ROLES)

    @property
    def is_unit_user(self) -> bool:
        return self.role.is_unit_role

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @classmethod
    def holding(cls, role: Role):
        """SQL condition: the user holds `role`, as `role` or as a duty."""
        return (cls.role == role) | cls.id.in_(select(UserDuty.user_id).where(UserDuty.role == role))

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


_ADMIN_VALUES = ", ".join(f"'{r.value}'" for r in ADMIN_ROLES)


class UserDuty(db.Model):
    """An administrator role a user holds besides `user.role` (三权分立 with several duties for one person)."""

    __tablename__ = "user_duty"
    __table_args__ = (CheckConstraint(f"role IN ({_ADMIN_VALUES})", name="admin_role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(_role_type(), primary_key=True)

    user: Mapped[User] = relationship(back_populates="duties")


class RecoveryCode(db.Model):
    """A one-time recovery code of the second factor, stored as an Argon2 hash; used_at set when consumed."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=now)
    used_at: Mapped[datetime | None]

    def matches(self, code: str) -> bool:
        try:
            return _hasher.verify(self.code_hash, code)
        except (VerificationError, InvalidHashError):
            return False


class SecurityPolicy(db.Model):
    """The security administrator's settings: one row (id 1), defaults when absent."""

    __tablename__ = "security_policy"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    second_factor_for_all: Mapped[bool] = mapped_column(default=False)
