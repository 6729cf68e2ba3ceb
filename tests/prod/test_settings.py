"""Production settings: the secret key under racing workers, ProxyFix, /healthz, one-line logs."""
from __future__ import annotations

import logging
import multiprocessing as mp
import stat

import pytest

from portal import create_app
from portal.auth.roles import Role
from portal.config import _secret_key
from portal.extensions import db
from tests.factories import UserFactory


def _key_of(path, queue):
    queue.put(_secret_key(path))


def test_racing_workers_all_read_one_complete_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_key_of, args=(tmp_path, queue)) for _ in range(8)]
    for p in procs:
        p.start()
    keys = {queue.get(timeout=30) for _ in procs}
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [f.name for f in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left behind
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_an_empty_key_file_stops_the_start_with_a_chinese_message(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="密钥过短或为空"):
        _secret_key(tmp_path)


def test_healthz_answers_ok_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path, caplog):
    down = create_app({"TESTING": True, "SECRET_KEY": "x", "UPLOAD_FOLDER": str(tmp_path),
                       "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://portal@127.0.0.1:9/portal"})
    with caplog.at_level(logging.ERROR, logger="portal.health"):
        response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error" and response.json["message"] == "数据库无法连接。"
    assert "database unreachable" in caplog.text
    with down.app_context():
        db.engine.dispose()


def _attempts(client, forwarded_for: str, n: int) -> list[int]:
    return [client.post("/login", data={"username": "nobody", "password": "wrong-password1"},
                        headers={"X-Forwarded-For": forwarded_for}).status_code for _ in range(n)]


def test_behind_the_proxy_the_login_limit_counts_each_client_not_the_proxy(make_app):
    proxied = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute", PROXY_FIX_HOPS=1).test_client()
    assert _attempts(proxied, "10.1.1.1", 3) == [200, 200, 429]
    assert _attempts(proxied, "10.2.2.2", 1) == [200]  # another citizen's office, not yet limited
    direct = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute").test_client()
    assert _attempts(direct, "10.3.3.3", 2) == [200, 200]
    assert _attempts(direct, "10.4.4.4", 1) == [429]  # without ProxyFix the header is ignored: one address


def test_logins_denials_and_admin_changes_are_one_line_each(client, login_as, caplog):
    UserFactory(username="wangli", role=Role.CENTRE_STAFF, unit=None)
    with caplog.at_level(logging.INFO, logger="portal"):
        client.post("/login", data={"username": "wangli", "password": "wrong\npassword1"})
        login_as(Role.LIAISON)
        client.get("/settings/")
        login_as(Role.ADMIN)
        client.post("/settings/subjects/", data={"name": "城乡建设", "parent_id": 0})
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("login failed: user=wangli") for m in messages), messages
    assert any(m.startswith("denied: user=") and "GET /settings/" in m and "status=403" in m for m in messages)
    assert any(m.startswith("admin change: user=") and "POST /settings/subjects/" in m for m in messages)
    assert any(m.startswith("subject added: ") and "path=城乡建设" in m for m in messages)
    from portal.logs import OneLineFormatter

    try:
        raise ValueError("line one\nline two")
    except ValueError:
        record = logging.getLogger("portal").makeRecord("portal", logging.ERROR, __file__, 1, "boom\nagain", (),
                                                         __import__("sys").exc_info())
    line = OneLineFormatter().format(record)
    assert "\n" not in line and line.startswith("ERROR portal: boom\\nagain\\nTraceback")
