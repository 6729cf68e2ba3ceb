"""安全管理: the security administrator's pages (administrator roles, second factors, lockouts, the policy)."""
