"""Who may call the statistics endpoints."""
from portal.auth.roles import Role

CENTRE = frozenset({Role.ADMIN, Role.CENTRE_STAFF})

POLICY = {
    "stats.dashboard": CENTRE,
    "stats.export_csv": CENTRE,
    "stats.unit_dashboard": frozenset({Role.UNIT_LEADER, Role.LIAISON}),
    "stats.sub_units_xlsx": frozenset({Role.UNIT_LEADER, Role.LIAISON}),
}
