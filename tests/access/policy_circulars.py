"""Who may call the circular (通报) endpoints."""
from portal.auth.roles import Role

CENTRE = frozenset({Role.ADMIN, Role.CENTRE_STAFF})
READERS = CENTRE | {Role.UNIT_LEADER, Role.LIAISON}
UNIT = frozenset({Role.UNIT_LEADER, Role.LIAISON})

POLICY = {
    "circulars.index": READERS,
    "circulars.show": READERS,
    "circulars.pdf": READERS,
    "circulars.mark_read": UNIT,
    "circulars.new": CENTRE,
    "circulars.preview": CENTRE,
    "circulars.update": CENTRE,
    "circulars.redraft": CENTRE,
    "circulars.refresh": CENTRE,
    "circulars.cases": CENTRE,
    "circulars.add_case": CENTRE,
    "circulars.remove_case": CENTRE,
    "circulars.dismiss_case": CENTRE,
    "circulars.issue": CENTRE,
    "circulars.delete": CENTRE,
    "circulars.docx": CENTRE,
    "circulars.xlsx": CENTRE,
}
