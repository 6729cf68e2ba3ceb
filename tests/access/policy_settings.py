"""系统设置 and the holiday arrangements: admins only."""
from portal.auth.roles import Role

ADMIN = frozenset({Role.ADMIN})

POLICY = {
    "settings.index": ADMIN,
    "settings.limits": ADMIN,
    "settings.callback_levels": ADMIN,
    "settings.calendar_year": ADMIN,
    "settings.delete_calendar_year": ADMIN,
}

POLICY["settings.escalation"] = frozenset({Role.ADMIN})
