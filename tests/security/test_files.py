"""Files: stored names never leave UPLOAD_FOLDER, uploads are judged by content, downloads are served with
nosniff and anything but images and PDF as an attachment."""
from __future__ import annotations

import io
import os
from pathlib import Path

from portal.auth.roles import Role
from portal.extensions import db
from portal.knowledge.models import KBAttachment
from portal.orders.enums import OrderState
from portal.orders.records import Attachment
from tests.factories import UserFactory
from tests.orders.factories import frozen
from tests.security.helpers import HX, PNG, log_in, two_units, upload

HTML = b"<html><script>alert(document.cookie)</script></html>"


def test_upload_names_cannot_climb_out_and_html_is_refused(client, app):
    world = two_units()
    order = world.orders[OrderState.IN_PROGRESS]
    with frozen():
        log_in(client, world.a_liaison)
        resp = client.post(f"/orders/{order.id}/attachments", content_type="multipart/form-data", headers=HX,
                           data={"files": upload("../../../../etc/cron.d/x.png")})
        assert resp.status_code in (200, 303)
        resp = client.post(f"/orders/{order.id}/attachments", content_type="multipart/form-data", headers=HX,
                           data={"files": upload("页面.html", HTML)})
        assert resp.status_code == 422  # recognised by content: not an allowed type
        resp = client.post(f"/orders/{order.id}/attachments", content_type="multipart/form-data", headers=HX,
                           data={"files": upload("图.png", b"GIF89a" + HTML)})  # named png, a GIF by content
    db.session.expire_all()
    items = db.session.scalars(db.select(Attachment).where(Attachment.order_id == order.id)).all()
    names = {i.original_name: i for i in items}
    assert "x.png" in names and all("/" not in n and ".." not in n for n in names)
    for item in items:
        assert ".." not in item.stored_name and not item.stored_name.startswith("/")
    assert names["图.gif" if "图.gif" in names else "图.png"].content_type == "image/gif"


def test_tampered_stored_names_are_not_served(client, app, tmp_path):
    world = two_units()
    secret = tmp_path / "secret.txt"
    secret.write_text("机密")
    item = world.attachment
    kb_item = KBAttachment(entry_id=world.kb_draft.id, filename="a.png", stored_name="x.png", size=1,
                           content_type="image/png", uploaded_by_id=world.a_liaison.id)
    db.session.add(kb_item)
    db.session.commit()
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    root = Path(app.config["UPLOAD_FOLDER"])
    # An absolute path, a relative climb that lands exactly on the secret (short enough for the columns on
    # PostgreSQL, which enforces their length), and a climb hidden behind a real folder name.
    attempts = (
        (str(secret), str(secret)),
        (os.path.relpath(secret, root), os.path.relpath(secret, root / "kb")),
        ("orders/../../" + secret.name, "../../" + secret.name),
    )
    for stored, kb_stored in attempts:
        item.stored_name = stored
        kb_item.stored_name = kb_stored
        db.session.commit()
        with frozen():
            log_in(client, staff)
            order_resp = client.get(f"/orders/{item.order_id}/attachments/{item.id}")
            order_body = order_resp.get_data(as_text=True)
            order_resp.close()
        assert order_resp.status_code in (404, 422) and "机密" not in order_body, stored
        kb_resp = client.get(f"/knowledge/attachments/{kb_item.id}")
        kb_body = kb_resp.get_data(as_text=True)
        kb_resp.close()
        assert kb_resp.status_code in (404, 422) and "机密" not in kb_body, stored


def test_downloads_are_nosniff_and_only_images_and_pdf_inline(client):
    world = two_units()
    order = world.orders[OrderState.IN_PROGRESS]
    docx = io.BytesIO()
    from docx import Document

    Document().save(docx)
    with frozen():
        log_in(client, world.a_liaison)
        client.post(f"/orders/{order.id}/attachments", content_type="multipart/form-data", headers=HX,
                    data={"files": upload("说明.docx", docx.getvalue())})
        items = db.session.scalars(db.select(Attachment).where(Attachment.order_id == order.id)).all()
        seen = {}
        for item in items:
            resp = client.get(f"/orders/{order.id}/attachments/{item.id}")
            assert resp.status_code == 200
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
            disposition = resp.headers["Content-Disposition"]
            seen[item.content_type] = disposition.split(";")[0]
            assert resp.mimetype == item.content_type
            resp.close()
    assert seen["image/png"] == "inline"
    assert seen["application/vnd.openxmlformats-officedocument.wordprocessingml.document"] == "attachment"
    log_in(client, world.a_liaison)
    resp = client.post(f"/knowledge/{world.kb_draft.id}/attachments", data={"file": upload("a.png", PNG)},
                       content_type="multipart/form-data")
    db.session.expire_all()
    kb_item = db.session.scalars(db.select(KBAttachment)).first()
    resp = client.get(f"/knowledge/attachments/{kb_item.id}")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Disposition"].startswith("attachment")
    resp.close()
