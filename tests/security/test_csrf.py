"""With CSRF on (as in real apps), a POST without the token is refused with 400 and changes nothing;
htmx requests carrying the page's X-CSRFToken header go through."""
from __future__ import annotations

import re

import pytest

from portal.auth.models import User
from portal.auth.roles import Role
from portal.calls.models import Call
from portal.extensions import db
from portal.knowledge.models import EntryStatus, KBEntry
from portal.notifications.models import Notification
from portal.orders.enums import OrderState
from portal.orders.models import WorkOrder
from tests.factories import UnitFactory, UserFactory
from tests.security.helpers import HX, log_in, two_units


@pytest.fixture
def csrf_client(make_app):
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def page_token(client) -> str:
    body = client.get("/").get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', body).group(1)


def _fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def _release():
    """End the test's read transaction: SQLite's BEGIN IMMEDIATE would lock out the other app's requests."""
    db.session.rollback()


def test_posts_without_token_are_refused_and_change_nothing(csrf_client):
    world = two_units()
    admin = UserFactory(role=Role.ADMIN, unit=None)
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    order = world.orders[OrderState.DISPATCHED]
    version, ids = order.version, (world.b_liaison.id, world.b.id, world.a_liaison.id, world.notice.id)
    entry_id = world.kb_draft.id
    attempts = [  # (user, path, form, check that nothing changed)
        (admin, f"/admin/users/{world.b_liaison.id}/deactivate", {},
         lambda: _fresh(User, ids[0]).active),
        (admin, f"/admin/units/{world.b.id}/deactivate", {}, lambda: _fresh(type(world.b), ids[1]).active),
        (admin, "/settings/limits", {}, lambda: True),
        (world.a_leader, f"/unit/roster/{world.a_liaison.id}/deactivate", {"to_user": ""},
         lambda: _fresh(User, ids[2]).active),
        (world.a_liaison, f"/orders/{order.id}/act/sign", {"version": str(version)},
         lambda: _fresh(WorkOrder, order.id).state == OrderState.DISPATCHED),
        (staff, f"/orders/{order.id}/act/supervise", {"version": str(version), "text": "督办"},
         lambda: _fresh(WorkOrder, order.id).version == version),
        (world.a_liaison, "/notifications/read-all", {}, lambda: _fresh(Notification, ids[3]).read_at is None),
        (world.a_liaison, f"/knowledge/{entry_id}/submit", {},
         lambda: _fresh(KBEntry, entry_id).status == EntryStatus.DRAFT),
        (world.a_liaison, f"/knowledge/{entry_id}/delete", {},
         lambda: _fresh(KBEntry, entry_id) is not None),
        (staff, "/calls/answer", {"mobile": "13800001111", "summary": "咨询"},
         lambda: db.session.scalar(db.select(db.func.count(Call.id))) == 0),
        (staff, "/circulars/new", {"period_start": "2018-08-01", "period_end": "2018-08-31"}, lambda: True),
        (admin, "/orders/import/", {}, lambda: True),
        (world.a_liaison, "/logout", {}, lambda: True),
    ]
    for user, path, form, unchanged in attempts:
        log_in(csrf_client, user)
        _release()
        for headers in ({}, HX):
            resp = csrf_client.post(path, data=form, headers=headers)
            assert resp.status_code == 400, (path, resp.status_code)
            assert "安全令牌" in resp.get_data(as_text=True)
            assert unchanged(), path
            _release()
        if path == "/logout":  # still logged in
            assert csrf_client.get("/").status_code == 200


def test_login_form_needs_the_token_too(csrf_client):
    user = UserFactory(role=Role.LIAISON, username="zhangsan")
    from tests.factories import TEST_PASSWORD

    resp = csrf_client.post("/login", data={"username": "zhangsan", "password": TEST_PASSWORD})
    assert resp.status_code == 400
    assert _fresh(User, user.id).last_login_at is None


def test_htmx_requests_with_the_page_token_succeed(csrf_client):
    world = two_units()
    order = world.orders[OrderState.DISPATCHED]
    order_id, version, notice_id = order.id, order.version, world.notice.id
    log_in(csrf_client, world.a_liaison)
    _release()
    token = page_token(csrf_client)
    headers = {**HX, "X-CSRFToken": token}
    assert csrf_client.post("/notifications/read-all", headers=headers).status_code == 200
    assert _fresh(Notification, notice_id).read_at is not None
    _release()
    from tests.orders.factories import frozen

    with frozen():
        log_in(csrf_client, world.a_liaison)
        _release()
        token = page_token(csrf_client)
        resp = csrf_client.post(f"/orders/{order_id}/act/sign", data={"version": str(version)},
                                headers={**HX, "X-CSRFToken": token})
    assert resp.status_code == 200 and resp.headers["HX-Redirect"] == f"/orders/{order_id}"
    assert _fresh(WorkOrder, order_id).state == OrderState.IN_PROGRESS
    admin = UserFactory(role=Role.ADMIN, unit=None)
    victim = UserFactory(role=Role.LIAISON, unit=UnitFactory())
    victim_id = victim.id
    log_in(csrf_client, admin)
    _release()
    token = page_token(csrf_client)
    resp = csrf_client.post(f"/admin/users/{victim_id}/deactivate", headers={**HX, "X-CSRFToken": token})
    assert resp.status_code == 200
    assert _fresh(User, victim_id).active is False
