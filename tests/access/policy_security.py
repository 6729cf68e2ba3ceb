"""安全管理: the security administrator only (三权分立)."""
from portal.auth.roles import Role

SECURITY = frozenset({Role.SECURITY_ADMIN})

POLICY = {
    "security.accounts": SECURITY,
    "security.admin_roles": SECURITY,
    "security.reset_second_factor": SECURITY,
    "security.unlock": SECURITY,
    "security.policy_page": SECURITY,
}
