"""Who may call the order and notification endpoints (mirrors their @roles)."""
from portal.auth.roles import ALL_ROLES, Role

CENTRE = frozenset({Role.ADMIN, Role.CENTRE_STAFF})
CREATORS = CENTRE | {Role.OPERATOR}
UNIT = frozenset({Role.UNIT_LEADER, Role.LIAISON})

POLICY = {
    "orders.my_orders": UNIT,
    "orders.queues": CREATORS,
    "orders.export": ALL_ROLES,
    "orders.new": CREATORS,
    "orders.duplicates": CREATORS,
    "orders.unit_picker": CENTRE,
    "orders.detail": ALL_ROLES,
    "orders.reveal": ALL_ROLES,
    "orders.upload": CENTRE | UNIT,
    "orders.attachment": ALL_ROLES,
    "orders.act": ALL_ROLES,
    "orders.task_act": CENTRE | UNIT,
    "orders.add_task": CENTRE | UNIT,
    "notifications.index": ALL_ROLES,
    "notifications.badge": ALL_ROLES,
    "notifications.read": ALL_ROLES,
    "notifications.read_all": ALL_ROLES,
}

# Issue 13, part 2: appeals and the 督办单 PDF.
POLICY.update({
    "appeals.index": CENTRE | UNIT,
    "appeals.new": UNIT,
    "appeals.detail": CENTRE | UNIT,
    "appeals.decide": CENTRE | UNIT,
    "appeals.file": CENTRE | UNIT,
    "supervision.notice_pdf": CENTRE | UNIT,
})
