"""Outages: a Chinese error page without the database, a Chinese 503 when storage refuses writes, and
login (a read) still working on a read-only database."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from portal.auth.roles import Role
from portal.extensions import db
from portal.notifications.models import Notification
from portal.notifications.services import notify
from tests.factories import TEST_PASSWORD, UserFactory


def _read_only_overrides(app) -> dict:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"}
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c default_transaction_read_only=on"}}}


def test_the_error_page_needs_no_database_while_it_is_down(make_app, app):
    user = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    dead = "sqlite:////nonexistent-folder/portal.sqlite3" if app.config["SQLALCHEMY_DATABASE_URI"].startswith(
        "sqlite") else "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    down = make_app(SQLALCHEMY_DATABASE_URI=dead, PROPAGATE_EXCEPTIONS=False,
                    SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False})
    client = down.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
    for url in ("/", "/orders/queues", "/knowledge/"):
        resp = client.get(url)
        assert resp.status_code == 503, url
        assert "系统暂时无法连接数据库" in resp.text and "Internal Server Error" not in resp.text
    assert down.test_client().get("/login").status_code == 200  # the login page itself reads nothing


def test_read_only_storage_answers_a_chinese_503_and_login_still_works(make_app, app):
    user = UserFactory(username="reader", role=Role.LIAISON)
    notify(user, "order", "测试通知", "/orders/mine")
    db.session.commit()
    note = db.session.scalars(db.select(Notification)).one()
    ro = make_app(PROPAGATE_EXCEPTIONS=False, **_read_only_overrides(app))
    client = ro.test_client()
    resp = client.post("/login", data={"username": "reader", "password": TEST_PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert client.get("/notifications/").status_code == 200
    resp = client.post(f"/notifications/{note.id}/read")
    assert resp.status_code == 503 and "系统暂时无法保存，请稍后再试" in resp.text
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None


@pytest.mark.parametrize("message", ["database or disk is full", "attempt to write a readonly database"])
def test_full_or_read_only_sqlite_errors_are_a_503(client, login_as, monkeypatch, app, message):
    user = login_as(Role.LIAISON)
    notify(user, "order", "测试通知", "/orders/mine")
    db.session.commit()
    note = db.session.scalars(db.select(Notification)).one()
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def refuse(*_a, **_k):
        raise OperationalError("UPDATE notification", {}, sqlite3.OperationalError(message))

    monkeypatch.setattr(db.session, "commit", refuse)
    resp = client.post(f"/notifications/{note.id}/read")
    assert resp.status_code == 503 and "系统暂时无法保存" in resp.text
