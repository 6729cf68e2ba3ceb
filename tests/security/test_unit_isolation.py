"""A user of unit B attacks unit A's records by id, by POST action, by htmx fragment, by list, search and export.

Every attempt must answer 404 (existence is not disclosed), change nothing, and no list shows A's rows.
Confidential orders never show the caller to a unit, not even to the unit holding them.
"""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from portal.extensions import db
from portal.knowledge.models import KBEntry
from portal.notifications.models import Notification
from portal.orders.actions import ACTIONS
from portal.orders.models import OrderEvent, WorkOrder
from portal.orders.records import Attachment
from tests.orders.factories import frozen
from tests.security.helpers import HX, SECRET_MOBILE, SECRET_NAME, log_in, two_units, upload

# A form that would pass every action's validation, so only scoping can stop it.
FULL_FORM = {
    "version": "1", "text": "越权操作", "reason": "越权理由", "duty_basis": "越权依据", "working_days": "3",
    "result": "已处理", "contact_way": "电话", "contacted_at": "2026-11-24T09:00", "resolved": "1",
    "unresolved_reason": "", "note": "越权", "target_number": "x", "unit_id": "1",
}


@pytest.fixture
def world():
    return two_units()


def _snapshot():
    db.session.expire_all()
    orders = {(o.id, o.state, o.version, o.unit_id) for o in db.session.scalars(db.select(WorkOrder))}
    events = db.session.scalar(db.select(db.func.count(OrderEvent.id)))
    files = db.session.scalar(db.select(db.func.count(Attachment.id)))
    return orders, events, files


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_other_units_orders_answer_404_for_every_get_and_post(client, world, headers):
    before = _snapshot()
    for attacker in (world.b_leader, world.b_liaison):
        _attack_orders(client, world, attacker, headers)
    assert _snapshot() == before


def _attack_orders(client, world, attacker, headers):
    with frozen():  # the session cookie is set and used at the same frozen time
        log_in(client, attacker)
        for order in world.orders.values():
            oid = order.id
            assert client.get(f"/orders/{oid}", headers=headers).status_code == 404
            assert client.post(f"/orders/{oid}/reveal", headers=headers).status_code == 404
            for action in ACTIONS:
                resp = client.post(f"/orders/{oid}/act/{action}", data=FULL_FORM, headers=headers)
                assert resp.status_code == 404, (action, resp.status_code)
            resp = client.post(f"/orders/{oid}/attachments", data={"files": upload()}, headers=headers,
                               content_type="multipart/form-data")
            assert resp.status_code == 404
        att = world.attachment
        assert client.get(f"/orders/{att.order_id}/attachments/{att.id}", headers=headers).status_code == 404
        # The attachment id under B's own order (or any other order id) is no way round.
        for other in (world.b_order, *world.orders.values()):
            assert client.get(f"/orders/{other.id}/attachments/{att.id}").status_code == 404


def test_lists_search_and_export_never_show_another_units_orders(client, world):
    log_in(client, world.b_liaison)
    for tab in ("", "to_sign", "working", "due_soon", "overdue", "in_review", "closed", "all"):
        for extra in ("", "&keyword=甲单位", "&keyword=" + SECRET_MOBILE):
            for headers in ({}, HX):
                resp = client.get(f"/orders/mine?tab={tab}{extra}", headers=headers)
                assert resp.status_code == 200
                assert "甲单位工单" not in resp.get_data(as_text=True)
            resp = client.get(f"/orders/export.xlsx?tab={tab}{extra}")
            assert resp.status_code == 200
            cells = [str(c.value) for row in load_workbook(io.BytesIO(resp.data)).active.iter_rows() for c in row]
            assert not any("甲单位" in c for c in cells)
    for path in ("/", "/stats/unit", "/notifications/", "/knowledge/", "/knowledge/?status=draft",
                 "/knowledge/search?q=草稿条目", "/knowledge/campaigns", "/circulars/"):
        body = client.get(path).get_data(as_text=True)
        assert "甲单位" not in body, path


def test_confidential_caller_never_reaches_the_unit_holding_the_order(client, world):
    for user in (world.a_leader, world.a_liaison):
        log_in(client, user)
        for order in world.orders.values():
            for resp in (client.get(f"/orders/{order.id}"), client.get(f"/orders/{order.id}", headers=HX),
                         client.post(f"/orders/{order.id}/reveal", headers=HX)):
                body = resp.get_data(as_text=True)
                assert SECRET_NAME not in body and SECRET_MOBILE not in body
                assert SECRET_MOBILE[-4:] not in body  # not even masked
        for tab in ("", "to_sign", "working", "in_review", "all"):
            for headers in ({}, HX):
                body = client.get(f"/orders/mine?tab={tab}", headers=headers).get_data(as_text=True)
                assert "甲单位工单" in body
                assert SECRET_NAME not in body and SECRET_MOBILE not in body
            export = client.get(f"/orders/export.xlsx?tab={tab}")
            cells = [str(c.value) for row in load_workbook(io.BytesIO(export.data)).active.iter_rows() for c in row]
            assert not any(SECRET_NAME in c or SECRET_MOBILE in c for c in cells)
        texts = " ".join(n.text + (n.link or "") for n in db.session.scalars(db.select(Notification)))
        page = client.get("/notifications/").get_data(as_text=True)
        assert SECRET_NAME not in texts + page and SECRET_MOBILE not in texts + page


def test_other_units_kb_entries_and_attachments_answer_404(client, world):
    entry_id = world.kb_draft.id
    log_in(client, world.a_liaison)
    assert client.post(f"/knowledge/{entry_id}/attachments", data={"file": upload()},
                       content_type="multipart/form-data").status_code in (302, 303)
    db.session.expire_all()
    att_id = db.session.get(KBEntry, entry_id).attachments[0].id
    log_in(client, world.b_liaison)
    before = db.session.get(KBEntry, entry_id)
    status, version = before.status, before.current_version_id
    for headers in ({}, HX):
        assert client.get(f"/knowledge/{entry_id}", headers=headers).status_code == 404
        assert client.get(f"/knowledge/{entry_id}/edit", headers=headers).status_code == 404
        assert client.get(f"/knowledge/attachments/{att_id}", headers=headers).status_code == 404
        for action in ("edit", "delete", "submit", "retire"):
            resp = client.post(f"/knowledge/{entry_id}/{action}", data={"title": "越权", "answer": "越权"},
                               headers=headers)
            assert resp.status_code == 404, action
        assert client.post(f"/knowledge/{entry_id}/attachments", data={"file": upload()}, headers=headers,
                           content_type="multipart/form-data").status_code == 404
    db.session.expire_all()
    after = db.session.get(KBEntry, entry_id)
    assert (after.status, after.current_version_id, len(after.attachments)) == (status, version, 1)


def test_other_users_notifications_cannot_be_read_or_marked(client, world):
    log_in(client, world.b_liaison)
    assert client.post(f"/notifications/{world.notice.id}/read", headers=HX).status_code == 404
    client.post("/notifications/read-all", headers=HX)
    db.session.expire_all()
    assert db.session.get(Notification, world.notice.id).read_at is None
    assert "甲单位通知" not in client.get("/notifications/", headers=HX).get_data(as_text=True)


def test_leader_of_b_cannot_touch_unit_as_roster(client, world):
    log_in(client, world.b_leader)
    victim = world.a_liaison.id
    for path in (f"/unit/roster/{victim}/deactivate", f"/unit/roster/{victim}/handover",
                 f"/unit/roster/{victim}/reactivate"):
        if not path.endswith("reactivate"):
            assert client.get(path, headers=HX).status_code == 404
        assert client.post(path, data={"to_user_id": str(world.b_liaison.id), "reason": "越权"},
                           headers=HX).status_code == 404
    body = client.get("/unit/roster").get_data(as_text=True)
    assert world.a_liaison.name not in body and world.a_leader.name not in body
    db.session.expire_all()
    assert db.session.get(type(world.a_liaison), victim).active is True
