"""Sessions end when they should (logout, password change, deactivation), login rotates the session,
`next` never leaves the site.
(The login rate limit is tested in tests/auth/test_login.py.)"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from portal.auth.roles import Role
from portal.extensions import db
from sqlalchemy import select

from portal.auth.models import User
from tests.factories import TEST_PASSWORD, UnitFactory, UserFactory, second_step
from tests.security.helpers import HX

COOKIE = "session"


def _login(client, username: str, next_: str | None = None):
    url = "/login" + (f"?next={next_}" if next_ is not None else "")
    return client.post(url, data={"username": username, "password": TEST_PASSWORD})


def _cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def _replay(client, value: str):
    client.set_cookie(COOKIE, value)
    return client.get("/")


def test_old_cookie_is_useless_after_logout(client):
    UserFactory(role=Role.LIAISON, username="lisi")
    assert _login(client, "lisi").status_code == 302
    stolen = _cookie(client)
    assert client.get("/").status_code == 200
    client.post("/logout")
    resp = _replay(client, stolen)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_old_cookie_is_useless_after_password_change_and_the_new_one_works(client):
    user = UserFactory(role=Role.LIAISON, username="wangwu")
    _login(client, "wangwu")
    stolen = _cookie(client)
    resp = client.post("/password", data={"current": TEST_PASSWORD, "new": "Another-pass-456",
                                          "confirm": "Another-pass-456"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    fresh = _cookie(client)
    assert fresh != stolen
    assert client.get("/").status_code == 200
    assert _replay(client, stolen).status_code == 302
    assert _replay(client, fresh).status_code == 200
    db.session.expire_all()
    assert user.session_version >= 2


def test_login_starts_a_new_session(make_app):
    """Nothing set before login (a CSRF token an attacker may have planted, flashed text) survives it."""
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    UserFactory(role=Role.LIAISON, username="zhaoliu")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"',
                      page)
    token = next(t for t in token.groups() if t)
    with client.session_transaction() as sess:
        before = dict(sess)
    assert "csrf_token" in before
    resp = client.post("/login", data={"username": "zhaoliu", "password": TEST_PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    with client.session_transaction() as sess:
        after = dict(sess)
    assert after["_user_id"].startswith(str(db.session.scalar(db.select(db.text("id")).select_from(
        db.text('"user"')).where(db.text("username = 'zhaoliu'")))) + ":")
    assert after.get("csrf_token") != before["csrf_token"]


def test_deactivated_user_is_out_at_the_next_request(app):
    UserFactory(role=Role.ADMIN, unit=None, username="admin1")
    unit = UnitFactory()
    victim = UserFactory(role=Role.LIAISON, unit=unit, username="victim")
    UserFactory(role=Role.UNIT_LEADER, unit=unit, username="unitlead")
    victim_client, leader_client, admin_client = (app.test_client() for _ in range(3))
    for c, name in ((victim_client, "victim"), (leader_client, "unitlead"), (admin_client, "admin1")):
        assert _login(c, name).status_code == 302
        if name == "admin1":
            second_step(c, db.session.scalar(select(User).where(User.username == name)))
        assert c.get("/").status_code == 200
    assert admin_client.post(f"/admin/users/{victim.id}/deactivate", headers=HX).status_code == 200
    resp = victim_client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert victim_client.get("/orders/mine", headers=HX).status_code == 401
    # A whole unit deactivated: its leader's session ends at the next request too.
    assert leader_client.get("/").status_code == 200
    admin_client.post(f"/admin/units/{unit.id}/deactivate", headers=HX)
    assert leader_client.get("/").status_code == 302
    assert admin_client.get("/").status_code == 200


@pytest.mark.parametrize("target", [
    "//evil.example/", "https://evil.example/", "/\\evil.example/", "\\/evil.example/", "/\\/evil.example",
    "/%5Cevil.example", "%2F%2Fevil.example", "/\t/evil.example", "javascript:alert(1)", "http:/evil.example",
    " //evil.example", "/%09/evil.example", "///evil.example",
])
def test_next_never_leaves_the_site(client, target):
    UserFactory(role=Role.LIAISON, username="nextuser")
    resp = client.post("/login", query_string={"next": target},
                       data={"username": "nextuser", "password": TEST_PASSWORD})
    assert resp.status_code == 302
    location = resp.headers["Location"]
    # Resolve it as a browser would (backslash is a slash, tabs and newlines vanish): still this site.
    browser = location.replace("\\", "/").replace("\t", "").replace("\n", "").replace("\r", "")
    assert urlsplit(urljoin("http://portal.local/login", browser)).netloc == "portal.local", (target, location)
    if "\\" in target or "\t" in target or "//" in target.lstrip(" /\\")[:2] or ":" in target:
        assert location == "/", (target, location)


def test_next_keeps_a_local_path(client):
    UserFactory(role=Role.LIAISON, username="localnext")
    resp = client.post("/login", query_string={"next": "/orders/mine?tab=working"},
                       data={"username": "localnext", "password": TEST_PASSWORD})
    assert resp.headers["Location"] == "/orders/mine?tab=working"
