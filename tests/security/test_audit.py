"""Audit log: what is recorded, that nobody can change it, that admins search and export it."""
from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from portal.audit.models import AppendOnly, AuditEvent
from portal.audit.services import record
from portal.auth.roles import Role
from portal.extensions import db
from portal.orders.enums import OrderState
from tests.factories import TEST_PASSWORD, UserFactory
from tests.orders.factories import frozen
from tests.security.helpers import log_in, two_units


def _events(name: str | None = None) -> list[AuditEvent]:
    db.session.rollback()
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if name:
        stmt = stmt.where(AuditEvent.event == name)
    return list(db.session.scalars(stmt))


def test_logins_failures_logout_and_password_changes_are_recorded_with_address(client):
    UserFactory(username="wang")
    client.post("/login", data={"username": "wang", "password": "wrong-one"},
                environ_base={"REMOTE_ADDR": "10.1.2.3"})
    client.post("/login", data={"username": "WANG", "password": TEST_PASSWORD}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    client.post("/logout")
    failed, = _events("login.failed")
    assert (failed.username, failed.result, failed.address) == ("wang", "failed", "10.1.2.3")
    ok, = _events("login.ok")
    assert ok.user_id is not None and ok.result == "ok" and ok.address == "10.1.2.3"
    assert len(_events("logout")) == 1


def test_denied_accesses_views_reveals_exports_and_downloads_are_recorded(client):
    world = two_units()
    order = world.orders[OrderState.IN_PROGRESS]
    with frozen():
        log_in(client, world.b_liaison)
        assert client.get(f"/orders/{order.id}").status_code == 404  # another unit's order
        log_in(client, world.a_liaison)
        assert client.get(f"/orders/{order.id}").status_code == 200
        assert client.get("/orders/export.xlsx").status_code == 200
        download = client.get(f"/orders/{order.id}/attachments/{world.attachment.id}")
        assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
        download.close()
        assert client.get("/admin/users").status_code == 403
    denied = _events("access.denied")
    assert [(e.username, e.object_type) for e in denied] == [(world.b_liaison.username, "404"),
                                                             (world.a_liaison.username, "403")]
    assert f"/orders/{order.id}" in denied[0].detail and denied[0].unit_id == world.b.id
    view, = _events("order.view")
    assert (view.object_type, view.object_id, view.unit_name) == ("order", str(order.id), world.a.short_name)
    assert len(_events("order.export")) == 1 and len(_events("order.download")) == 1


def test_admin_and_roster_changes_are_recorded_with_the_actor(client):
    admin = UserFactory(role=Role.ADMIN, unit=None)
    log_in(client, admin)
    resp = client.post("/admin/users/new", data={"username": "newbie", "name": "新人", "mobile": "13900001111",
                                                  "role": "centre_staff", "unit_id": ""})
    assert resp.status_code in (200, 303)
    created = [e for e in _events("user.change") if "newbie" in e.detail]
    assert created and created[0].username == admin.username and "新建" in created[0].detail


def test_the_log_is_append_only_in_the_orm_and_in_the_database():
    record("login.ok", username="x")
    db.session.commit()
    row = _events()[0]
    row.detail = "篡改"
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(DatabaseError):
        db.session.execute(text("UPDATE audit_event SET detail = '篡改'"))
    db.session.rollback()
    with pytest.raises(DatabaseError):
        db.session.execute(text("DELETE FROM audit_event"))
    db.session.rollback()
    assert [e.detail for e in _events()] == [""]


def test_prune_keeps_at_least_180_days(runner):
    old = datetime.now() - timedelta(days=400)
    db.session.execute(AuditEvent.__table__.insert(), [
        {"at": old, "event": "login.ok", "result": "ok", "username": "a", "role": "", "unit_name": "", "address": "",
         "object_type": "", "object_id": "", "detail": ""},
        {"at": datetime.now(), "event": "login.ok", "result": "ok", "username": "b", "role": "", "unit_name": "",
         "address": "", "object_type": "", "object_id": "", "detail": ""},
    ])
    db.session.commit()
    refused = runner.invoke(args=["audit", "prune", "--days", "30"])
    assert refused.exit_code == 2 and "至少保存 180 天" in refused.output
    assert len(_events()) == 2
    done = runner.invoke(args=["audit", "prune", "--days", "180"])
    assert done.exit_code == 0, done.output
    assert [e.username for e in _events()] == ["b"]


def test_auditors_search_and_export_the_log_with_who_exported(client):
    admin = UserFactory(role=Role.AUDITOR, unit=None, name="管理员甲")
    for name in ("zhang", "li"):
        record("login.failed", result="failed", username=name)
    db.session.commit()
    log_in(client, admin)
    page = client.get("/admin/audit/", query_string={"username": "zhang"})
    assert page.status_code == 200 and "zhang" in page.text and ">li<" not in page.text
    resp = client.get("/admin/audit/export.xlsx", query_string={"event": "login"})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    wb = load_workbook(io.BytesIO(resp.data))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "时间" and {r[3] for r in rows[1:]} == {"zhang", "li"}
    assert "管理员甲" in wb.properties.creator and "导出：管理员甲" in wb.properties.description
    assert "导出：管理员甲" in wb.active.oddFooter.left.text
    assert _events("audit.export")[0].username == admin.username
    for role in (Role.ADMIN, Role.SECURITY_ADMIN, Role.CENTRE_STAFF, Role.UNIT_LEADER):
        log_in(client, UserFactory(role=role, unit=None) if role == Role.CENTRE_STAFF else UserFactory(role=role))
        assert client.get("/admin/audit/").status_code == 403
