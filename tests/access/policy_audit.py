"""Who may read the audit log: admins only; nobody may change it (there is no such endpoint)."""
from portal.auth.roles import Role

POLICY = {
    "audit.index": frozenset({Role.ADMIN}),
    "audit.export": frozenset({Role.ADMIN}),
}
