"""Lockout per username in the database, the password policy, idle and absolute session limits, cookies."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import time_machine

from portal.auth.passwords import password_problem
from portal.auth.roles import Role
from portal.config import build_config
from portal.extensions import db
from tests.factories import TEST_PASSWORD, UserFactory, second_step


def _login(client, username, password, addr="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def test_five_failures_lock_the_username_for_15_minutes_across_workers_and_addresses(app, make_app, client):
    UserFactory(username="zhao")
    for n in range(5):
        resp = _login(client, "zhao", "wrong-password", addr=f"10.0.0.{n}")
        assert resp.status_code == 200
    assert "已锁定" in resp.text
    # Another worker (another app on the same database), another address, the right password: still locked.
    other = make_app().test_client()
    locked = _login(other, "Zhao", TEST_PASSWORD, addr="10.9.9.9")
    assert locked.status_code == 429 and "已被锁定" in locked.text
    with other.session_transaction() as sess:
        assert "_user_id" not in sess
    with time_machine.travel(time.time() + 15 * 60 + 5):
        assert _login(other, "zhao", TEST_PASSWORD).status_code == 302


def test_a_success_resets_the_count_and_unknown_names_lock_alike(client):
    UserFactory(username="qian")
    for _ in range(4):
        _login(client, "qian", "wrong-password")
    assert _login(client, "qian", TEST_PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(4):
        _login(client, "qian", "wrong-password")
    assert _login(client, "qian", TEST_PASSWORD).status_code == 302  # 4 since the success: not locked
    client.post("/logout")
    for _ in range(5):
        _login(client, "nobody", "wrong-password")
    assert "已被锁定" in _login(client, "nobody", "whatever-1").text


def test_the_per_address_limit_still_holds(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute").test_client()
    answers = [_login(limited, f"user{n}", "x", addr="10.7.7.7").status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]


@pytest.mark.parametrize("password, username, reason", [
    ("Short1!", "wang", "至少 10 位"),
    ("alllowercase1", "wang", "至少三类"),
    ("password123", "wang", "至少三类"),
    ("Password123!", "wang", "过于简单"),
    ("Qwertyuiop1!", "wang", "过于简单"),
    ("1qaz2wsx3edc!Q", "wang", "过于简单"),
    ("Hanbin-Xyz-9284", "hanbin", "不能包含用户名"),
])
def test_weak_passwords_are_refused(password, username, reason):
    assert reason in (password_problem(password, username) or "")


def test_strong_passwords_pass():
    for password in ("Xin-Mima-2026", "Hotline#4821z", TEST_PASSWORD):
        assert password_problem(password, "wang") is None


def test_change_password_applies_the_policy_and_keeps_the_old_one(client):
    user = UserFactory(username="sun")
    _login(client, "sun", TEST_PASSWORD)
    resp = client.post("/password", data={"current": TEST_PASSWORD, "new": "Sun-Mima-12345!", "confirm": "Sun-Mima-12345!"})
    assert "不能包含用户名" in resp.text
    db.session.refresh(user)
    assert user.check_password(TEST_PASSWORD)


LIMITS = {"SESSION_IDLE_MINUTES": 30, "SESSION_MAX_HOURS": 12, "PERMANENT_SESSION_LIFETIME": 12 * 3600}


def test_idle_sessions_end_after_30_minutes_and_polling_does_not_keep_them(make_app):
    client = make_app(**LIMITS).test_client()
    user = UserFactory(username="li", role=Role.CENTRE_STAFF, unit=None)
    start = time.time()
    with time_machine.travel(start, tick=False):
        _login(client, "li", TEST_PASSWORD)
        second_step(client, user)
        assert client.get("/").status_code == 200
    with time_machine.travel(start + 20 * 60, tick=False):
        assert client.get("/").status_code == 200  # activity: the idle clock restarts
    with time_machine.travel(start + 45 * 60, tick=False):
        assert client.get("/notifications/badge").status_code == 200  # 25 min idle, polling only
    with time_machine.travel(start + 51 * 60, tick=False):
        resp = client.get("/")
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_sessions_end_12_hours_after_login_whatever_the_activity(make_app):
    client = make_app(**LIMITS).test_client()
    user = UserFactory(username="zhou", role=Role.CENTRE_STAFF, unit=None)
    start = time.time()
    with time_machine.travel(start, tick=False):
        _login(client, "zhou", TEST_PASSWORD)
        second_step(client, user)
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + minutes * 60, tick=False):
            assert client.get("/").status_code == 200
    with time_machine.travel(start + 12 * 3600 + 60, tick=False):
        assert client.get("/").status_code == 302


def test_cookies_are_secure_unless_turned_off(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x")
    config = build_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert (config["SESSION_IDLE_MINUTES"], config["SESSION_MAX_HOURS"]) == (30, 12)
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    assert build_config(tmp_path)["SESSION_COOKIE_SECURE"] is False


def test_every_personal_response_is_no_store(client, login_as):
    login_as(Role.CENTRE_STAFF)
    for url in ("/", "/orders/queues", "/orders/export.xlsx", "/stats/units.csv", "/notifications/badge"):
        resp = client.get(url)
        assert resp.headers.get("Cache-Control") == "no-store", url
