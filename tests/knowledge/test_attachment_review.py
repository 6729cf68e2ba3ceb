"""A file added to an already published entry waits for review with the revision: other units and the
operators see it only once the centre publishes that revision."""
from __future__ import annotations

import io

from portal.auth.roles import Role
from portal.extensions import db
from portal.knowledge import services
from portal.knowledge.models import EntryStatus
from tests.factories import UnitFactory, UserFactory
from tests.knowledge.factories import centre, liaison, published_entry


def _client_of(app, user):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
    return client


def _upload(client, entry_id):
    return client.post(f"/knowledge/{entry_id}/attachments", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"%PDF-1.4 unreviewed"), "未审核的通知.pdf")})


def test_a_file_added_to_a_published_entry_is_hidden_from_others_until_the_revision_is_published(app, client, login_as):
    unit = UnitFactory()
    entry = published_entry(unit, "公开的条目", answer="公开答复")
    db.session.commit()
    login_as(Role.LIAISON, unit=unit)
    assert _upload(client, entry.id).status_code == 303
    db.session.expire_all()
    (attachment,) = entry.attachments
    # The upload started a revision, which the unit submits for review like an edit.
    assert entry.status == EntryStatus.DRAFT and entry.current_version_id != entry.published_version_id
    own = client.get(f"/knowledge/{entry.id}").text
    assert "未审核的通知.pdf" in own and "待审核" in own

    for other in (liaison(UnitFactory()), UserFactory(role=Role.OPERATOR, unit=None)):
        reader = _client_of(app, other)
        page = reader.get(f"/knowledge/{entry.id}")
        assert page.status_code == 200 and "公开答复" in page.text and "未审核的通知.pdf" not in page.text
        assert reader.get(f"/knowledge/attachments/{attachment.id}").status_code == 404

    services.submit_entry(liaison(unit), entry)
    services.publish_entry(centre(), entry)
    db.session.commit()
    reader = _client_of(app, liaison(UnitFactory()))
    assert "未审核的通知.pdf" in reader.get(f"/knowledge/{entry.id}").text
    with reader.get(f"/knowledge/attachments/{attachment.id}") as download:
        assert download.status_code == 200 and download.data == b"%PDF-1.4 unreviewed"
