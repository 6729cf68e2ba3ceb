"""Attachments: type by content (not the name), the size limit, storage outside static/, access by order."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook
from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.uploads import sniff
from portal.orders.enums import OrderState
from portal.orders.records import Attachment, Reply
from tests.orders.factories import frozen, order_in, staffed_unit

S = OrderState
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    doc = Document()
    doc.add_paragraph("办理情况说明")
    doc.save(buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    wb = Workbook()
    wb.active.append(["工单编号"])
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("data, expected", [
    (PNG, ("png", "image/png")),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 20, ("jpg", "image/jpeg")),
    (PDF, ("pdf", "application/pdf")),
    (_docx(), ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")),
    (_xlsx(), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    (b"MZ\x90\x00" + b"\x00" * 60, None),  # a Windows program
    (b"<html><script>alert(1)</script></html>", None),
    (b"PK\x03\x04not really a zip", None),
])
def test_type_is_recognised_by_content(data, expected):
    assert sniff(data) == expected


def _upload(client, order, name, data, **headers):
    return client.post(f"/orders/{order.id}/attachments", data={"files": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers=headers)


def test_upload_then_download_by_the_unit_and_404_for_another_unit(app, client, login_as):
    unit, _l, _li = staffed_unit()
    other, _ol, _oli = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        login_as(Role.LIAISON, unit=unit)
        # A PNG named .pdf is stored as the PNG it is.
        assert _upload(client, order, "现场照片.pdf", PNG).status_code == 303
    item = db.session.scalars(select(Attachment)).one()
    assert (item.content_type, item.original_name, item.size) == ("image/png", "现场照片.pdf", len(PNG))
    stored = Path(app.config["UPLOAD_FOLDER"]) / item.stored_name
    assert stored.read_bytes() == PNG and stored.suffix == ".png"
    assert Path(app.static_folder).resolve() not in stored.resolve().parents
    resp = client.get(f"/orders/{order.id}/attachments/{item.id}")
    assert resp.status_code == 200 and resp.data == PNG and resp.mimetype == "image/png"
    resp.close()
    login_as(Role.LIAISON, unit=other)
    assert client.get(f"/orders/{order.id}/attachments/{item.id}").status_code == 404


def test_attachment_id_of_another_order_is_404(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        first, second = order_in(S.IN_PROGRESS, unit), order_in(S.IN_PROGRESS, unit)
        login_as(Role.LIAISON, unit=unit)
        _upload(client, first, "a.png", PNG)
        item = db.session.scalars(select(Attachment)).one()
        assert client.get(f"/orders/{second.id}/attachments/{item.id}").status_code == 404


def test_wrong_type_and_oversize_are_refused_with_chinese_messages(app, client, login_as, monkeypatch):
    unit, _l, _li = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        login_as(Role.LIAISON, unit=unit)
        fake = _upload(client, order, "照片.jpg", b"just text, not a picture", **{"HX-Request": "true"})
        assert fake.status_code == 422 and "类型不受支持" in fake.get_data(as_text=True)
        monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)
        big = _upload(client, order, "大图.png", PNG + b"\x00" * 1024, **{"HX-Request": "true"})
        assert big.status_code == 422 and "超过" in big.get_data(as_text=True)
    assert db.session.scalars(select(Attachment)).all() == []


def test_ten_megabytes_is_the_default_limit(app):
    assert app.config["ATTACHMENT_MAX_BYTES"] == 10 * 1024 * 1024


def test_reply_with_an_attachment(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        login_as(Role.LIAISON, unit=unit)
        resp = client.post(f"/orders/{order.id}/act/reply", content_type="multipart/form-data", data={
            "version": order.version, "result": "已修复路灯并回访群众。", "contact_way": "电话",
            "contacted_at": "2026-11-24T09:30", "resolved": "1", "files": (io.BytesIO(_docx()), "办结报告.docx")})
    assert resp.status_code == 303
    reply = db.session.scalars(select(Reply)).one()
    assert [(a.original_name, a.reply_id) for a in reply.attachments] == [("办结报告.docx", reply.id)]


def test_operator_cannot_upload_and_unit_cannot_upload_to_a_closed_order(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        closed = order_in(S.CLOSED, unit)
        login_as(Role.OPERATOR)
        assert _upload(client, closed, "a.png", PNG).status_code == 403
        login_as(Role.LIAISON, unit=unit)
        assert _upload(client, closed, "a.png", PNG, **{"HX-Request": "true"}).status_code == 422
    assert db.session.scalar(select(db.func.count(Attachment.id))) == 0


def _stored_files(app, order) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "orders" / str(order.id)
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_refused_upload_leaves_no_file_of_the_batch_on_disk(app, client, login_as, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))  # order ids repeat across tests
    unit, _l, _li = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        login_as(Role.LIAISON, unit=unit)
        # The first file is fine and written; the second is refused, so the whole upload rolls back.
        resp = client.post(f"/orders/{order.id}/attachments", content_type="multipart/form-data",
                           headers={"HX-Request": "true"},
                           data={"files": [(io.BytesIO(PNG), "a.png"), (io.BytesIO(b"not a file type"), "b.png")]})
    assert resp.status_code == 422
    assert db.session.scalars(select(Attachment)).all() == []
    assert _stored_files(app, order) == []


def test_files_are_kept_on_commit_and_removed_on_rollback(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    from werkzeug.datastructures import FileStorage

    from portal.orders.attachments import save_attachment

    unit, _l, liaison = staffed_unit()
    order = order_in(S.IN_PROGRESS, unit)
    kept = save_attachment(order, FileStorage(io.BytesIO(PNG), "kept.png"), liaison)
    db.session.commit()
    save_attachment(order, FileStorage(io.BytesIO(PDF), "lost.pdf"), liaison)
    assert len(_stored_files(app, order)) == 2  # written before the commit decides
    db.session.rollback()
    assert [p.name for p in _stored_files(app, order)] == [Path(kept.stored_name).name]
    assert len(db.session.scalars(select(Attachment)).all()) == 1
