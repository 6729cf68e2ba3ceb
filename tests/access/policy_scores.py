"""Who may call the 考核 (assessment) endpoints."""
from portal.auth.roles import Role

ADMIN = frozenset({Role.ADMIN})
CENTRE = frozenset({Role.ADMIN, Role.CENTRE_STAFF})
UNIT = frozenset({Role.UNIT_LEADER, Role.LIAISON})
READERS = CENTRE | UNIT

POLICY = {
    "scores.index": CENTRE,
    "scores.export": CENTRE,
    "scores.unit": READERS,
    "scores.mine": UNIT,
    "scores.schemes": READERS,
    "scores.scheme": READERS,
    "scores.new_scheme": ADMIN,
    "scores.edit_scheme": ADMIN,
    "scores.delete_scheme": ADMIN,
    "scores.adjustments": CENTRE,
    "scores.add_adjustment": CENTRE,
    "scores.revoke_adjustment": CENTRE,
}
