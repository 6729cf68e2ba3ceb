"""Who may read the audit log: the auditor only (三权分立); nobody may change it (there is no such endpoint)."""
from portal.auth.roles import Role

POLICY = {
    "audit.index": frozenset({Role.AUDITOR}),
    "audit.export": frozenset({Role.AUDITOR}),
}
