"""Script in user-entered text is escaped wherever it is shown: pages, fragments, search highlights, previews.

Each payload is entered through a service or form, then every page that shows it is fetched; the raw markup
must be absent and its escaped form present (so the test looks where the text really is).
"""
from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from portal.auth.roles import Role
from portal.circulars import services as circulars
from portal.extensions import db
from portal.knowledge import services as kb
from portal.orders import handling
from portal.orders import services as orders
from portal.orders.enums import OrderKind
from tests.circulars.helpers import AS_OF, august
from tests.factories import UnitFactory, UserFactory
from tests.knowledge.factories import data, liaison
from tests.orders.factories import frozen
from tests.security.helpers import HX, log_in

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"甲{SCRIPT}乙{IMG}丙"


def assert_escaped(body: str, where: str) -> None:
    assert "<script>alert(1)" not in body, where
    assert "<img src=x onerror" not in body, where
    assert "&lt;script&gt;alert(1)" in body, where  # the text is shown, escaped


def _order_world():
    unit = UnitFactory(short_name=f"单位{IMG}", full_name=f"全称{SCRIPT}")
    leader = UserFactory(role=Role.UNIT_LEADER, unit=unit, name=f"负责人{SCRIPT}")
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    with frozen():
        order = orders.create_order(staff, kind=OrderKind.COMPLAINT, content=f"内容{PAYLOAD}", title=f"标题{SCRIPT}",
                                    caller_name=f"名{SCRIPT}", caller_mobile="13800001111", address=f"址{IMG}{SCRIPT}")
        orders.dispatch(order, staff, unit, text=f"派单说明{PAYLOAD}")
        handling.sign(order, leader, f"签收{PAYLOAD}")
        orders.supervise(order, staff, f"督办{PAYLOAD}")
        orders.acknowledge(order, leader)
        handling.submit_reply(order, leader, result=f"回复{PAYLOAD}", contact_way="电话", contacted_at=None,
                              resolved=False, unresolved_reason=f"原因{PAYLOAD}")
        db.session.commit()
    return unit, leader, staff, order


def test_order_texts_are_escaped_for_the_centre_and_the_unit(client):
    unit, leader, staff, order = _order_world()
    with frozen():
        log_in(client, staff)
        for path, headers in ((f"/orders/{order.id}", {}), ("/orders/queues?tab=all", {}),
                              ("/orders/queues?tab=all&keyword=内容", HX), ("/orders/queues?tab=replies", HX),
                              ("/orders/duplicates?content=" + "内容甲乙丙" * 3 + "&caller_mobile=13800001111", HX),
                              ("/orders/units?q=单位", HX), ("/admin/units", {}), ("/notifications/", {})):
            body = client.get(path, headers=headers).get_data(as_text=True)
            assert "<script>alert(1)" not in body and "<img src=x onerror" not in body, path
        assert_escaped(client.get(f"/orders/{order.id}").get_data(as_text=True), "centre order page")
        log_in(client, leader)
        for path, headers in ((f"/orders/{order.id}", {}), ("/orders/mine?tab=in_review", {}),
                              ("/orders/mine?tab=in_review", HX), ("/notifications/", {}), ("/", {}),
                              ("/stats/unit", {}), ("/unit/roster", {})):
            body = client.get(path, headers=headers).get_data(as_text=True)
            assert "<script>alert(1)" not in body and "<img src=x onerror" not in body, path
        assert_escaped(client.get(f"/orders/{order.id}").get_data(as_text=True), "unit order page")
        assert_escaped(client.get("/notifications/").get_data(as_text=True), "notifications")


def test_kb_title_answer_and_search_highlights_are_escaped(client):
    unit = UnitFactory()
    entry = kb.create_entry(liaison(unit), unit.id, data(f"社保{PAYLOAD}", answer=f"答复社保{PAYLOAD}"), submit=True)
    kb.publish_entry(UserFactory(role=Role.CENTRE_STAFF, unit=None), entry)
    db.session.commit()
    log_in(client, UserFactory(role=Role.OPERATOR, unit=None))
    # Queries that match around, inside and across the markup, so <mark> wraps pieces of it.
    for q in ("社保", "script", "alert", "onerror", "<script>", "img src", SCRIPT, IMG, "甲<"):
        for headers in ({}, HX):
            body = client.get("/knowledge/search", query_string={"q": q}, headers=headers).get_data(as_text=True)
            results = body[body.find('id="kb-results"'):] if 'id="kb-results"' in body else body
            assert "<script>alert" not in body and "<img src=x" not in body, q
            assert "<mark>" in results and "&lt;" in results and "(1)&gt;" in results, q
    body = client.get(f"/knowledge/{entry.id}").get_data(as_text=True)
    assert_escaped(body, "kb detail")
    log_in(client, UserFactory(role=Role.CENTRE_STAFF, unit=None))
    assert_escaped(client.get("/knowledge/?status=", headers={**HX, "HX-Target": "kb-entries"})
                   .get_data(as_text=True), "kb list")


def test_circular_section_edits_are_escaped_in_preview_edit_and_show(client):
    world = august()
    circular = circulars.draft(date(2018, 8, 1), date(2018, 8, 31), AS_OF, world.staff)
    db.session.commit()
    form = {"version": circular.version, "title": f"通报{SCRIPT}", "doc_number": "", "intro": f"引言{PAYLOAD}",
            "addressee_line": f"各单位{IMG}", "s1": f"一{PAYLOAD}", "s3": f"三{PAYLOAD}", "s4": f"四{PAYLOAD}",
            "new_deadline": "", "issuer": f"中心{SCRIPT}", "issue_date": "2018-09-29", "cc": f"抄送{IMG}",
            "units": [str(r.unit_id) for r in circular.recipients]}
    log_in(client, world.staff)
    preview = client.post(f"/circulars/{circular.id}/preview", data=form, headers=HX)
    assert preview.status_code == 200
    assert_escaped(preview.get_data(as_text=True), "preview")
    saved = client.post(f"/circulars/{circular.id}/edit", data=form, headers=HX)
    assert saved.status_code < 400
    db.session.expire_all()
    assert SCRIPT in circular.texts["s1"]  # stored as typed, escaped only when shown
    assert_escaped(client.get(f"/circulars/{circular.id}").get_data(as_text=True), "centre show")
    circulars.issue(circular, world.staff)
    db.session.commit()
    log_in(client, UserFactory(role=Role.LIAISON, unit=world.a))
    assert_escaped(client.get(f"/circulars/{circular.id}").get_data(as_text=True), "unit show")
    pdf = client.get(f"/circulars/{circular.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_exports_do_not_turn_citizens_text_into_spreadsheet_formulas(client):
    """A title like =HYPERLINK(...) typed from a call must reach Excel as text, never as a live formula."""
    unit = UnitFactory()
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    with frozen():
        order = orders.create_order(staff, kind=OrderKind.CONSULT, content='=HYPERLINK("http://evil.example","点此")',
                                    title='=HYPERLINK("http://evil.example","点此")', address="=1+2")
        orders.dispatch(order, staff, unit)
        db.session.commit()
        log_in(client, staff)
        resp = client.get("/orders/export.xlsx?tab=all")
    sheet = load_workbook(io.BytesIO(resp.data)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert any("HYPERLINK" in c.value for c in cells)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
