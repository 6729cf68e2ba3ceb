"""Who may call the admin pages (units, users, the centre's roster views)."""
from portal.auth.roles import Role

ADMIN = frozenset({Role.ADMIN})
CENTRE = frozenset({Role.ADMIN, Role.CENTRE_STAFF})

POLICY = {
    "admin.units": ADMIN,
    "admin.new_unit": ADMIN,
    "admin.edit_unit": ADMIN,
    "admin.deactivate_unit": ADMIN,
    "admin.reactivate_unit": ADMIN,
    "admin.import_units": ADMIN,
    "admin.units_without_liaison": CENTRE,
    "admin.roster_changes": CENTRE,
    "admin.users": ADMIN,
    "admin.new_user": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.deactivate_user": ADMIN,
    "admin.reactivate_user": ADMIN,
    "admin.reset_password": ADMIN,
}
