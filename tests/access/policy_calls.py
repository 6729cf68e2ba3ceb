"""Who may call the call-logging endpoints."""
from portal.auth.roles import Role

CALL_ROLES = frozenset({Role.OPERATOR, Role.CENTRE_STAFF, Role.ADMIN})

POLICY = {
    "calls.console": CALL_ROLES,
    "calls.answer": CALL_ROLES,
    "calls.to_order": CALL_ROLES,
}
