"""Bounded input: zip bombs and oversized sheets are refused before inflating, hostile numbers, dates and
control characters get a Chinese answer (never a 500), and one control character never breaks an export."""
from __future__ import annotations

import io
import re
import tracemalloc
import zipfile

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from portal.auth.roles import Role
from portal.extensions import db
from portal.knowledge.imports import COLUMNS
from portal.knowledge.models import KBEntry
from portal.orders.enums import OrderState
from portal.orders.models import WorkOrder
from portal.orders.records import Attachment
from portal.uploads import sniff
from tests.orders.factories import frozen
from tests.security.helpers import HX, log_in, two_units, upload


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_a_zip_bomb_attachment_is_refused_without_inflating_it(client):
    bomb = _zip({"mimetype": b"\x00" * (300 * 1024 * 1024)})  # 300 MB of zeros, about 300 KB on the wire
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    try:
        assert sniff(bomb) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024
    world = two_units()
    order = world.orders[OrderState.IN_PROGRESS]
    with frozen():
        log_in(client, world.a_liaison)
        before = db.session.scalar(select(func.count(Attachment.id)))
        resp = client.post(f"/orders/{order.id}/attachments", content_type="multipart/form-data", headers=HX,
                           data={"files": upload("炸弹.odt", bomb)})
    assert resp.status_code == 422 and "类型不受支持" in resp.text
    assert db.session.scalar(select(func.count(Attachment.id))) == before


def _xlsx(rows, header=COLUMNS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _patch_sheet(data: bytes, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            dst.writestr(info.filename, content)
    return out.getvalue()


def _import(client, data):
    return client.post("/knowledge/import", data={"file": (io.BytesIO(data), "entries.xlsx")},
                       content_type="multipart/form-data")


def _entries():
    return db.session.scalar(select(func.count(KBEntry.id)))


def test_a_sheet_claiming_16384_columns_is_refused_before_reading_cells(client, login_as):
    login_as(Role.LIAISON)
    good = _xlsx([["类目", "标题", "答复", "", "", "常见问题", "", "", ""]])
    huge = _patch_sheet(good, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml))
    assert 'A1:XFD1048576' in zipfile.ZipFile(io.BytesIO(huge)).read("xl/worksheets/sheet1.xml").decode()
    tracemalloc.start()
    try:
        resp = _import(client, huge)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert resp.status_code == 422 and "范围过大" in resp.text
    assert peak < 30 * 1024 * 1024 and _entries() == 0


def test_broken_cells_in_an_import_are_a_chinese_refusal(client, login_as):
    login_as(Role.LIAISON)
    good = _xlsx([["类目", "标题", "答复", "", "", "常见问题", "", "", ""]])
    bad_string = _patch_sheet(good, lambda xml: re.sub(r'<c r="B2"([^>]*)t="\w+"([^>]*)>.*?</c>',
                                                       r'<c r="B2" t="s"><v>99999</v></c>', xml, flags=re.S))
    bad_type = _patch_sheet(good, lambda xml: re.sub(r'<c r="H1"', '<c r="H2" t="d"><v>not-a-date</v></c><c r="H1"',
                                                     xml))
    for data in (bad_string, bad_type, b"PK\x03\x04garbage"):
        resp = _import(client, data)
        assert resp.status_code == 422, resp.status_code
    numbers = _xlsx([[1, 2.5, True, None, None, "常见问题", 3, 99999999, "9999-12-31"]])
    resp = _import(client, numbers)
    assert resp.status_code == 422 and "第 2 行" in resp.text
    assert _entries() == 0


def test_control_characters_are_cleaned_and_never_break_an_export(client):
    world = two_units()
    order = world.orders[OrderState.IN_PROGRESS]
    db.session.execute(db.update(WorkOrder).where(WorkOrder.unit_id == world.a.id).values(title="漏水\x01\x0b报修"))
    db.session.commit()
    with frozen():
        log_in(client, world.a_liaison)
        resp = client.get("/orders/export.xlsx")
        assert resp.status_code == 200
        titles = [r[3] for r in load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True)]
        assert "漏水报修" in titles
        resp = client.post(f"/orders/{order.id}/attachments", content_type="multipart/form-data", headers=HX,
                           data={"files": upload("现场\x00照片\x1b.png")})
        assert resp.status_code in (200, 303)
    names = db.session.scalars(select(Attachment.original_name).where(Attachment.order_id == order.id)).all()
    assert "现场照片.png" in names
    item = db.session.scalars(select(Attachment).where(Attachment.original_name == "现场照片.png")).one()
    with frozen():
        download = client.get(f"/orders/{order.id}/attachments/{item.id}")
        assert download.status_code == 200
        download.close()


def test_hostile_numbers_and_dates_in_query_strings_and_urls_answer_below_500(client, login_as):
    login_as(Role.CENTRE_STAFF)
    for query in ({"page": str(2**63)}, {"page": "-5"}, {"date_to": "9999-12-31"}, {"date_from": "0001-01-01"},
                  {"date_to": "2026-02-30"}, {"kind": "\x00"}, {"q": "a\x00b"}):
        for url in ("/orders/queues", "/knowledge/", "/admin/roster-changes", "/notifications/", "/circulars/"):
            assert client.get(url, query_string=query).status_code < 500, (url, query)
    for url in (f"/orders/{2**63}", f"/orders/{2**31}", f"/knowledge/{10**30}", f"/circulars/{2**40}/pdf"):
        assert client.get(url).status_code == 404, url
