"""事项分类 page and its import: admins only."""
from portal.auth.roles import Role

ADMIN = frozenset({Role.ADMIN})

POLICY = {
    "subjects.index": ADMIN,
    "subjects.create": ADMIN,
    "subjects.edit": ADMIN,
    "subjects.retire": ADMIN,
    "subjects.reactivate": ADMIN,
    "subjects.import_page": ADMIN,
}
