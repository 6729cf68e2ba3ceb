"""Who may call the unit leader's roster pages."""
from portal.auth.roles import Role

LEADER = frozenset({Role.UNIT_LEADER})

POLICY = {
    "units.roster": LEADER,
    "units.new_liaison": LEADER,
    "units.handover": LEADER,
    "units.deactivate_liaison": LEADER,
    "units.reactivate_liaison": LEADER,
    "units.edit_lead": LEADER,
}
