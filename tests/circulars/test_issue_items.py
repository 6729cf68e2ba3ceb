"""Issue 11's circular items: sections numbered as present, 印发 warns about an empty section, the draft
proposes typical cases, and the files of an issued circular are rendered once, stored and served as stored."""
from __future__ import annotations

import hashlib
import io
from datetime import datetime

import pytest
from docx import Document
from pypdf import PdfReader

from portal.auth.roles import Role
from portal.circulars import document, outputs, services
from portal.circulars.models import Circular, CircularOutput, CircularStatus
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.enums import OrderKind
from portal.orders.records import Supervision
from tests.circulars.helpers import august, august_draft
from tests.stats.factories import closed

HX = {"HX-Request": "true"}


def _supervise(order, times: int, at=datetime(2018, 8, 15, 10)):
    for _ in range(times):
        db.session.add(Supervision(order_id=order.id, unit_id=order.last_unit_id, text="请加快办理", created_at=at))
    db.session.flush()


def test_sections_are_numbered_as_present_without_typical_cases(app):
    world = august()
    c = august_draft(world)
    doc = document.from_circular(c)
    assert [s.heading for s in doc.sections] == ["一、办理情况", "二、存在问题", "三、下步要求"]
    services.add_case(c, world.staff, world.praise.id)
    doc = document.from_circular(c)
    assert [s.heading for s in doc.sections] == ["一、办理情况", "二、典型案例", "三、存在问题", "四、下步要求"]


def test_the_pdf_and_docx_print_the_numbers_without_a_gap(app):
    world = august()
    c = august_draft(world)
    pdf = outputs.render_circular(c, "pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")
    assert "二、存在问题" in text and "三、下步要求" in text and "四、" not in text
    paras = [p.text for p in Document(io.BytesIO(outputs.render_circular(c, "docx"))).paragraphs]
    assert "二、存在问题" in paras and "三、存在问题" not in paras


def test_issue_warns_about_an_empty_section_and_changes_nothing_until_confirmed(client, login_as):
    world = august()
    c = august_draft(world)
    version = c.version
    login_as(Role.CENTRE_STAFF)
    resp = client.post(f"/circulars/{c.id}/issue", data={"version": version}, headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "以下部分没有内容：典型案例。" in body and 'name="confirm_empty"' in body
    db.session.expire_all()
    again = db.session.get(Circular, c.id)
    assert again.status == CircularStatus.DRAFT and again.version == version and not again.outputs
    page = client.post(f"/circulars/{c.id}/issue", data={"version": version})  # without htmx: a page
    assert "确认印发" in page.get_data(as_text=True)
    resp = client.post(f"/circulars/{c.id}/issue", data={"version": version, "confirm_empty": "1"}, headers=HX)
    assert resp.headers["HX-Redirect"] == f"/circulars/{c.id}"
    db.session.expire_all()
    assert db.session.get(Circular, c.id).status == CircularStatus.ISSUED


def test_issue_with_every_section_filled_needs_no_confirmation(client, login_as):
    world = august()
    c = august_draft(world)
    services.add_case(c, world.staff, world.praise.id)
    db.session.commit()
    login_as(Role.CENTRE_STAFF)
    resp = client.post(f"/circulars/{c.id}/issue", data={"version": c.version}, headers=HX)
    assert resp.headers["HX-Redirect"] == f"/circulars/{c.id}"


def test_draft_proposes_praise_first_then_closed_complaints_with_most_supervision(client, login_as):
    world = august()
    one = closed(datetime(2018, 8, 20, 10), last_unit=world.a, kind=OrderKind.COMPLAINT, number="2018081501",
                 accepted_at=datetime(2018, 8, 15, 9))
    three = closed(datetime(2018, 8, 21, 10), last_unit=world.a, kind=OrderKind.COMPLAINT, number="2018081601",
                   accepted_at=datetime(2018, 8, 16, 9))
    closed(datetime(2018, 8, 21, 10), last_unit=world.a, kind=OrderKind.COMPLAINT, number="2018081701",
           accepted_at=datetime(2018, 8, 17, 9))  # never supervised: not proposed
    _supervise(one, 1)
    _supervise(three, 3)
    _supervise(world.overdue, 5)  # open at the as-of time: not proposed
    c = august_draft(world)
    proposed = c.snapshot["proposed_cases"]
    assert [p["number"] for p in proposed] == ["2018080801", "2018081601", "2018081501"]
    assert [p["reason"] for p in proposed] == ["表扬", "投诉已办结，督办3次", "投诉已办结，督办1次"]
    assert c.snapshot.get("cases", []) == []  # proposed, not printed until confirmed

    login_as(Role.CENTRE_STAFF)
    page = client.get(f"/circulars/{c.id}").get_data(as_text=True)
    assert "系统推荐的典型案例" in page and "确认选用" in page
    client.post(f"/circulars/{c.id}/cases", data={"order_id": world.praise.id}, headers=HX)
    resp = client.post(f"/circulars/{c.id}/cases/{one.id}/dismiss", headers=HX)
    assert resp.status_code == 200
    db.session.expire_all()
    c = db.session.get(Circular, c.id)
    assert [x["number"] for x in c.snapshot["cases"]] == ["2018080801"]
    assert [p["number"] for p in c.snapshot["proposed_cases"]] == ["2018081601"]
    services.refresh(c, world.staff)  # neither the confirmed nor the removed case comes back
    assert [p["number"] for p in c.snapshot["proposed_cases"]] == ["2018081601"]


def test_issue_stores_each_file_once_with_its_sha256(client, login_as):
    world = august()
    c = august_draft(world)
    services.add_case(c, world.staff, world.praise.id)
    services.issue(c, world.staff)
    db.session.commit()
    kept = {o.fmt: o for o in c.outputs}
    assert set(kept) == {"pdf", "docx", "xlsx"}
    for o in kept.values():
        assert o.sha256 == hashlib.sha256(o.content).hexdigest() and o.size == len(o.content)
    assert kept["pdf"].content.startswith(b"%PDF") and kept["pdf"].fonts
    login_as(Role.CENTRE_STAFF)
    page = client.get(f"/circulars/{c.id}").get_data(as_text=True)
    for o in kept.values():
        assert o.sha256 in page


def test_every_later_download_serves_the_stored_bytes(client, login_as, monkeypatch):
    world = august()
    c = august_draft(world)
    services.add_case(c, world.staff, world.praise.id)
    services.issue(c, world.staff)
    db.session.commit()
    stored = {o.fmt: o.content for o in c.outputs}
    # A later release renders differently, and the data behind the figures changes.
    monkeypatch.setattr(outputs, "render", lambda doc, fmt: b"rendered by a later release")
    world.a.short_name = "改名后的单位"
    closed(datetime(2018, 8, 30, 10), last_unit=world.a)
    db.session.commit()
    login_as(Role.CENTRE_STAFF)
    for fmt in ("pdf", "docx", "xlsx"):
        resp = client.get(f"/circulars/{c.id}/{fmt}")
        assert resp.status_code == 200 and resp.data == stored[fmt], fmt


def test_a_draft_download_is_rendered_fresh(client, login_as, monkeypatch):
    world = august()
    c = august_draft(world)
    monkeypatch.setattr(outputs, "render", lambda doc, fmt: b"fresh " + fmt.encode())
    login_as(Role.CENTRE_STAFF)
    assert client.get(f"/circulars/{c.id}/docx").data == b"fresh docx"


def test_stored_files_of_an_issued_circular_cannot_be_replaced_or_removed(app):
    world = august()
    c = august_draft(world)
    services.add_case(c, world.staff, world.praise.id)
    services.issue(c, world.staff)
    db.session.commit()
    pdf = next(o for o in c.outputs if o.fmt == "pdf")
    original = pdf.content
    pdf.content = b"forged"
    with pytest.raises(RuleViolation):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(CircularOutput, pdf.id))
    with pytest.raises(RuleViolation):
        db.session.flush()
    db.session.rollback()
    db.session.add(CircularOutput(circular_id=c.id, fmt="odt", content=b"x", sha256="0" * 64, size=1))
    with pytest.raises(RuleViolation):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(CircularOutput, pdf.id).content == original
