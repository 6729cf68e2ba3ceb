"""The orders upload page: admins only."""
from portal.auth.roles import Role

POLICY = {
    "order_import.upload": frozenset({Role.ADMIN}),
}
