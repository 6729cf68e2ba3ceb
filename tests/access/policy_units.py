"""Who may call the unit leader's roster pages."""
from portal.auth.roles import Role

LEADER = frozenset({Role.UNIT_LEADER})
# 下级单位: a unit leader inside its own sub-tree, an admin anywhere (the pages scope the unit).
TREE = frozenset({Role.UNIT_LEADER, Role.ADMIN})

POLICY = {
    "units.roster": LEADER,
    "units.new_liaison": LEADER,
    "units.handover": LEADER,
    "units.deactivate_liaison": LEADER,
    "units.reactivate_liaison": LEADER,
    "units.edit_lead": LEADER,
    "units.sub_units": TREE,
    "units.new_sub_unit": TREE,
    "units.edit_sub_unit": TREE,
    "units.deactivate_sub_unit": TREE,
    "units.reactivate_sub_unit": TREE,
    "units.sub_unit_people": TREE,
    "units.new_sub_unit_liaison": TREE,
}
