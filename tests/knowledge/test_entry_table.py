"""The KB entry lifecycle cell by cell, against expectations written out here (not read from TABLE)."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge import lifecycle, services
from portal.knowledge.models import EntryStatus as S
from portal.knowledge.models import KBEntry
from tests.factories import UnitFactory, UserFactory
from tests.knowledge.factories import centre, data, liaison, published_entry, submitted_entry

HX = {"HX-Request": "true"}
OWN, CENTRE = "own", "centre"
# status -> {action: who}. A draft that was never submitted may be deleted but not retired; a draft that
# was submitted once (a revision of a published entry) may be retired but not deleted.
EXPECTED = {
    "new draft": {"edit": {OWN}, "attach": {OWN}, "submit": {OWN}, "delete": {OWN}},
    "revision draft": {"edit": {OWN}, "attach": {OWN}, "submit": {OWN}, "retire": {OWN, CENTRE}},
    S.SUBMITTED: {"publish": {CENTRE}, "return": {CENTRE}, "retire": {OWN, CENTRE}},
    S.RETURNED: {"edit": {OWN}, "attach": {OWN}, "submit": {OWN}, "retire": {OWN, CENTRE}},
    S.PUBLISHED: {"edit": {OWN}, "attach": {OWN}, "retire": {OWN, CENTRE}},
    S.RETIRED: {},
}


def _entry(kind, unit):
    actor = liaison(unit)
    if kind == "new draft":
        return services.create_entry(actor, unit.id, data())
    entry = published_entry(unit)
    if kind == "revision draft":
        services.update_entry(actor, entry, data())
    elif kind in (S.SUBMITTED, S.RETURNED):
        services.update_entry(actor, entry, data())
        services.submit_entry(actor, entry)
        if kind == S.RETURNED:
            services.return_entry(centre(), entry, "请补充依据")
    elif kind == S.RETIRED:
        services.retire_entry(actor, entry)
    db.session.commit()
    return entry


@pytest.mark.parametrize("kind", list(EXPECTED), ids=str)
def test_actions_for_each_status_and_person(kind):
    unit = UnitFactory()
    entry = _entry(kind, unit)
    people = {OWN: liaison(unit), CENTRE: centre(), "other unit": liaison(UnitFactory()),
              "operator": UserFactory(role=Role.OPERATOR, unit=None)}
    for who, user in people.items():
        expected = {action for action, allowed in EXPECTED[kind].items() if who in allowed}
        assert lifecycle.actions_for(entry, user) == expected, (kind, who)


def test_a_never_submitted_draft_cannot_be_retired_only_deleted(client, login_as):
    """The bug: a liaison could POST retire on a fresh draft; it became 已失效, undeletable, its title taken."""
    me = login_as(Role.LIAISON)
    entry = services.create_entry(me, me.unit_id, data("新草稿标题"))
    db.session.commit()
    response = client.post(f"/knowledge/{entry.id}/retire", headers=HX)
    assert response.status_code == 422 and "从未报送的草稿不能设为失效" in response.get_data(as_text=True)
    db.session.expire_all()
    entry = db.session.get(KBEntry, entry.id)
    assert (entry.status, entry.retired_at) == (S.DRAFT, None)
    assert client.post(f"/knowledge/{entry.id}/delete", headers=HX).status_code in (200, 204, 302)
    assert db.session.scalar(select(func.count(KBEntry.id)).where(KBEntry.title == "新草稿标题")) == 0


def test_refused_actions_change_nothing():
    unit = UnitFactory()
    entry = submitted_entry(unit, datetime(2018, 8, 20, 9))
    before = (entry.status, entry.current_version_id, entry.published_version_id, entry.retired_at)
    for action in ("edit", "submit", "delete", "publish"):
        actor = liaison(unit)
        with pytest.raises(RuleViolation):
            lifecycle.move(entry, action, actor)
        assert (entry.status, entry.current_version_id, entry.published_version_id, entry.retired_at) == before
