"""Who may call the knowledge-base and campaign endpoints."""
from portal.auth.roles import ALL_ROLES, CENTRE_ROLES, UNIT_ROLES

UNIT = frozenset(UNIT_ROLES)
CENTRE = frozenset(CENTRE_ROLES)

POLICY = {
    "knowledge.entries": ALL_ROLES,
    "knowledge.search_entries": ALL_ROLES,
    "knowledge.detail": ALL_ROLES,
    "knowledge.attachment": ALL_ROLES,
    "knowledge.new": UNIT,
    "knowledge.edit": UNIT,
    "knowledge.submit": UNIT,
    "knowledge.delete": UNIT,
    "knowledge.upload_attachment": UNIT,
    "knowledge.import_template": UNIT,
    "knowledge.import_entries": UNIT,
    "knowledge.retire": UNIT | CENTRE,
    "knowledge.publish": CENTRE,
    "knowledge.categories_page": CENTRE,
    "knowledge.create_category": CENTRE,
    "knowledge.edit_category": CENTRE,
    "knowledge.retire_category": CENTRE,
    "knowledge.reactivate_category": CENTRE,
    "knowledge.return_entry": CENTRE,
    "knowledge.campaigns": UNIT | CENTRE,
    "knowledge.campaigns_export": CENTRE,
    "knowledge.campaign_new": CENTRE,
    "knowledge.campaign_detail": CENTRE,
    "knowledge.campaign_extend": CENTRE,
}
