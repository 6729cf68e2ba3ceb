"""A form or htmx request after the login expired says so plainly and leads back to the page of the form."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.calls.models import Call
from portal.extensions import db

HX = {"HX-Request": "true"}


def test_an_expired_session_is_an_expired_login_not_a_bad_token(make_app):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    data = {"received_at": "2018-08-20T09:30", "mobile": "13800001111", "summary": "咨询", "csrf_token": "stale"}

    resp = client.post("/calls/answer", data=data,
                       headers={**HX, "HX-Current-URL": "http://localhost/calls/?x=1"})
    assert resp.status_code == 401
    assert resp.headers["HX-Redirect"] == "/login?next=/calls/?x%3D1"

    plain = client.post("/orders/new", data=data, headers={"Referer": "http://localhost/orders/new?call_id=7"})
    assert plain.status_code == 302 and plain.headers["Location"] == "/login?next=/orders/new?call_id%3D7"
    login_page = client.get("/login").get_data(as_text=True)
    assert "登录已过期，请重新登录" in login_page and "安全令牌" not in login_page
    assert db.session.scalar(select(func.count(Call.id))) == 0


def test_another_site_is_never_the_way_back(make_app):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    resp = client.post("/calls/answer", data={}, headers={"Referer": "https://evil.example/calls/"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"


def test_the_login_forms_own_stale_token_keeps_its_message(make_app):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    resp = client.post("/login", data={"username": "x", "password": "y"})
    assert resp.status_code == 400 and "安全令牌失效" in resp.get_data(as_text=True)
