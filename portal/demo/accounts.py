"""Demo accounts for every role (listed in the README)."""
from __future__ import annotations

from portal.auth.models import User
from portal.auth.roles import SECOND_FACTOR_ROLES, Role
from portal.clock import now
from portal.extensions import db
from portal.units.models import Unit

DEMO_PASSWORD = "Demo@12345"
# The demo's centre accounts sign in with a second factor like real ones; they share this published secret
# (`flask demo code` shows the current code). A demo database is for trying the portal, never for real use.
DEMO_TOTP_SECRET = "DEMOTOTPSECRET234567ABCDEFGHIJKL"

# username, name, role, unit short name, mobile
NAMED_ACCOUNTS = [
    ("admin", "系统管理员", Role.ADMIN, None, "13800000001"),
    ("anquan", "安全管理员", Role.SECURITY_ADMIN, None, "13800000004"),
    ("shenji", "审计管理员", Role.AUDITOR, None, "13800000005"),
    ("zhongxin", "王晓梅", Role.CENTRE_STAFF, None, "13800000002"),
    ("huawu", "李娜", Role.OPERATOR, None, "13800000003"),
    ("hanbin_leader", "张建国", Role.UNIT_LEADER, "汉滨区政府", "13991500001"),
    ("hanbin", "陈静", Role.LIAISON, "汉滨区政府", "13991500002"),
    ("hengkou_leader", "刘洋", Role.UNIT_LEADER, "恒口示范区", "13991500003"),
    ("hengkou", "赵磊", Role.LIAISON, "恒口示范区", "13991500004"),
    ("renshe", "孙丽", Role.LIAISON, "市人社局", "13991500005"),
]

# Units left without an active liaison in the demo, so the centre's warning has something to show
# (the seed's first problem: staff changed without telling the centre).
UNITS_WITHOUT_LIAISON = ("市商务局", "安康火车站")


def load_accounts() -> list[tuple[str, str, str]]:
    """Create the named accounts and one liaison per other unit; return (username, role, unit)."""
    units = {u.short_name: u for u in db.session.scalars(db.select(Unit))}
    created = []
    # Every demo account shares one password: hash it once (Argon2 costs ~0.1 s a hash by design).
    hashed = User(username="", name="", role=Role.LIAISON)
    hashed.set_password(DEMO_PASSWORD)

    def add(username, name, role, unit, mobile):
        user = User(username=username, name=name, role=role, unit=unit, mobile=mobile, must_change_password=False,
                    password_hash=hashed.password_hash)
        if role in SECOND_FACTOR_ROLES:
            user.totp_secret, user.totp_enabled_at = DEMO_TOTP_SECRET, now()
        db.session.add(user)
        created.append((username, role.label, unit.short_name if unit else "市12345便民服务中心"))

    for username, name, role, unit_name, mobile in NAMED_ACCOUNTS:
        add(username, name, role, units[unit_name] if unit_name else None, mobile)
    covered = {u for *_, u, _m in NAMED_ACCOUNTS if u}
    for unit in sorted(units.values(), key=lambda u: u.display_order):
        if unit.short_name in covered or unit.short_name in UNITS_WITHOUT_LIAISON:
            continue
        add(f"unit{unit.display_order:02d}", f"{unit.short_name}联络员", Role.LIAISON, unit,
            f"1399150{unit.display_order:04d}")
    db.session.flush()
    return created
