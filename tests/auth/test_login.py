from __future__ import annotations

import pytest

from portal.auth.models import User
from portal.auth.roles import SECOND_FACTOR_ROLES, Role
from portal.extensions import db
from tests.factories import TEST_PASSWORD, UnitFactory, UserFactory, second_step


def _login(client, username, password, **kw):
    return client.post("/login", data={"username": username, "password": password}, **kw)


def test_login_page_is_chinese_and_public(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    assert "用户名" in resp.text and "密码" in resp.text


def test_anonymous_is_sent_to_login_with_safe_next(client):
    resp = client.get("/")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/login?next=/"


def test_htmx_request_with_expired_login_gets_hx_redirect(client):
    resp = client.get("/", headers={"HX-Request": "true"})
    assert resp.status_code == 401
    assert resp.headers["HX-Redirect"].startswith("/login")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_logs_in_and_out(client, role):
    user = UserFactory(role=role)
    resp = _login(client, user.username, TEST_PASSWORD)
    if role in SECOND_FACTOR_ROLES:
        assert resp.status_code == 302 and resp.headers["Location"] == "/login/second-factor"
        assert client.get("/").status_code == 302  # half logged in: still anonymous
        resp = second_step(client, user)
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and user.name in home.text and role.label in home.text
    out = client.post("/logout")
    assert out.status_code == 302
    assert client.get("/").status_code == 302


def test_username_is_case_insensitive(client):
    user = UserFactory(username="Liaison7")
    assert _login(client, "liaison7", TEST_PASSWORD).status_code == 302
    assert user.last_login_at is not None


@pytest.mark.parametrize("username,password", [("nobody", TEST_PASSWORD), ("u1", "wrong-password-1")])
def test_wrong_credentials_show_a_chinese_error(client, username, password):
    UserFactory(username="u1")
    resp = _login(client, username, password)
    assert resp.status_code == 200
    assert "用户名或密码错误" in resp.text
    assert client.get("/").status_code == 302


def test_inactive_user_and_user_of_inactive_unit_cannot_log_in(client):
    UserFactory(username="off", active=False)
    unit = UnitFactory(active=False)
    UserFactory(username="unitoff", unit=unit, role=Role.LIAISON)
    assert "用户名或密码错误" in _login(client, "off", TEST_PASSWORD).text
    assert "用户名或密码错误" in _login(client, "unitoff", TEST_PASSWORD).text


def test_next_is_followed_only_when_local(client):
    UserFactory(username="u2")
    assert _login(client, "u2", TEST_PASSWORD, query_string={"next": "/password"}).headers["Location"] == "/password"
    client.post("/logout")
    resp = _login(client, "u2", TEST_PASSWORD, query_string={"next": "https://evil.example/x"})
    assert resp.headers["Location"] == "/"
    client.post("/logout")
    assert _login(client, "u2", TEST_PASSWORD, query_string={"next": "//evil.example"}).headers["Location"] == "/"


def test_first_login_must_change_password_before_anything_else(client):
    user = UserFactory(username="fresh", must_change_password=True)
    resp = _login(client, "fresh", TEST_PASSWORD)
    assert resp.headers["Location"] == "/password"
    assert client.get("/").headers["Location"] == "/password"
    weak = client.post("/password", data={"current": TEST_PASSWORD, "new": "short1", "confirm": "short1"})
    assert "密码至少 10 位" in weak.text
    nodigit = client.post("/password", data={"current": TEST_PASSWORD, "new": "abcdefghijk", "confirm": "abcdefghijk"})
    assert "至少三类" in nodigit.text
    mismatch = client.post("/password", data={"current": TEST_PASSWORD, "new": "Xin-Mima-2026", "confirm": "Xin-Mima-2027"})
    assert "不一致" in mismatch.text
    wrong = client.post("/password", data={"current": "nope", "new": "Xin-Mima-2026", "confirm": "Xin-Mima-2026"})
    assert "当前密码不正确" in wrong.text
    ok = client.post("/password", data={"current": TEST_PASSWORD, "new": "Xin-Mima-2026", "confirm": "Xin-Mima-2026"})
    assert ok.status_code == 302
    db.session.refresh(user)
    assert user.must_change_password is False and user.check_password("Xin-Mima-2026")
    assert client.get("/").status_code == 200


def test_password_change_ends_other_sessions(app):
    user = UserFactory(username="multi")
    first, second = app.test_client(), app.test_client()
    _login(first, "multi", TEST_PASSWORD)
    _login(second, "multi", TEST_PASSWORD)
    first.post("/password", data={"current": TEST_PASSWORD, "new": "Xin-Mima-2026", "confirm": "Xin-Mima-2026"})
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302
    assert db.session.get(User, user.id).session_version > 1


def test_passwords_are_stored_as_argon2_hashes():
    user = User(username="h", name="h", role=Role.ADMIN)
    user.set_password("Secret-12345")
    assert user.password_hash.startswith("$argon2id$")
    assert "Secret-12345" not in user.password_hash
    assert user.check_password("Secret-12345") and not user.check_password("secret-12345")


def test_login_is_rate_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    c = limited.test_client()
    codes = [_login(c, "x", "y").status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    assert "过于频繁" in _login(c, "x", "y").text


def test_csrf_is_enforced_when_enabled(make_app):
    strict = make_app(WTF_CSRF_ENABLED=True)
    resp = _login(strict.test_client(), "x", "y")
    assert resp.status_code == 400
    assert "安全令牌失效" in resp.text
