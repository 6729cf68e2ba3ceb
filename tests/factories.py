"""factory_boy factories. Each commits, so rows are visible to client requests at once."""
from __future__ import annotations

import factory
from argon2 import PasswordHasher
from factory.alchemy import SQLAlchemyModelFactory

from portal.auth.models import User
from portal.auth.roles import SECOND_FACTOR_ROLES, Role
from portal.extensions import db
from portal.units.models import Unit

TEST_PASSWORD = "Test-pass-123"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# Hashed once with cheap parameters: Argon2 at production cost would slow every test.
_FAST_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(TEST_PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UnitFactory(BaseFactory):
    class Meta:
        model = Unit

    short_name = factory.Sequence(lambda n: f"测试单位{n}")
    full_name = factory.LazyAttribute(lambda o: f"安康市{o.short_name}全称")
    group = "市直部门"
    display_order = factory.Sequence(lambda n: n + 1)
    aliases = factory.LazyFunction(list)
    lead_name = "牵头人"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    mobile = factory.Sequence(lambda n: f"1390000{n:04d}")
    role = Role.LIAISON
    unit = factory.LazyAttribute(lambda o: UnitFactory() if Role(o.role).is_unit_role else None)
    password_hash = _FAST_HASH
    # Roles that must sign in with a second factor have one (tests/auth/test_second_factor.py enrols its own).
    totp_secret = factory.LazyAttribute(lambda o: TEST_TOTP_SECRET if Role(o.role) in SECOND_FACTOR_ROLES else None)
    must_change_password = False
    active = True


def second_step(client, user):
    """Answer the login's second step with a current code of the user's secret (a fresh step: replay is tested
    in tests/auth/test_second_factor.py)."""
    import pyotp

    code = pyotp.TOTP(user.totp_secret).now()
    user.totp_last_step = None
    db.session.commit()  # and touch nothing after it: the test's session must hold no transaction
    return client.post("/login/second-factor", data={"code": code})
