"""Backup and restore: SQLite while another process writes (WAL content included); PostgreSQL dump + restore."""
from __future__ import annotations

import multiprocessing as mp
import shutil
import sqlite3
import uuid

from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, func, select, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db
from portal.orders.models import Tag

def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        counts = {name: conn.scalar(select(func.count()).select_from(t)) for name, t in meta.tables.items()
                  if not name.startswith("kb_search_fts")}
    engine.dispose()
    return counts


def _writer(path: str, start, stop) -> None:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    n = 0
    start.set()
    while not stop.is_set():
        conn.execute("INSERT INTO tag(name) VALUES (?)", (f"并发{n}",))
        n += 1
    conn.close()


def test_sqlite_backup_while_another_process_writes_keeps_wal_content_and_restores(tmp_path):
    live = tmp_path / "live.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{live}", "TESTING": True, "SECRET_KEY": "x",
                      "UPLOAD_FOLDER": str(tmp_path / "up")})
    with app.app_context():
        upgrade()
        db.engine.dispose()
        # 50 committed rows that sit only in the -wal file (not checkpointed yet), as on a busy server:
        # a connection stays open like a running worker's, so nothing checkpoints them.
        server = sqlite3.connect(live, isolation_level=None)
        server.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        server.execute("PRAGMA wal_autocheckpoint=0")
        server.execute("BEGIN")
        server.executemany("INSERT INTO tag(name) VALUES (?)", [(f"已签收{i}",) for i in range(50)])
        server.execute("COMMIT")
        naive = tmp_path / "plain-copy.sqlite3"
        shutil.copyfile(live, naive)  # what the centre did
        assert sqlite3.connect(naive).execute("SELECT count(*) FROM tag").fetchone()[0] == 0

        ctx = mp.get_context("fork")
        start, stop = ctx.Event(), ctx.Event()
        proc = ctx.Process(target=_writer, args=(str(live), start, stop))
        proc.start()
        try:
            assert start.wait(30)
            result = app.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "b" / "portal.sqlite3")])
        finally:
            stop.set()
            proc.join(30)
        assert result.exit_code == 0, result.output
        assert "已备份数据库到" in result.output
        db.session.remove()
        db.engine.dispose()
    server.close()

    backup_file = tmp_path / "b" / "portal.sqlite3"
    check = sqlite3.connect(backup_file)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    in_backup = check.execute("SELECT count(*) FROM tag").fetchone()[0]
    written = sqlite3.connect(live).execute("SELECT count(*) FROM tag").fetchone()[0]
    check.close()
    assert 50 <= in_backup <= written and written > 50  # the writer kept going; the snapshot is consistent
    assert not list((tmp_path / "b").glob(".*part"))

    restored = tmp_path / "restored.sqlite3"
    other = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{restored}", "TESTING": True, "SECRET_KEY": "x",
                        "UPLOAD_FOLDER": str(tmp_path / "up")})
    with other.app_context():
        result = other.test_cli_runner().invoke(args=["restore", str(backup_file), "--yes"])
        assert result.exit_code == 0, result.output
        db.engine.dispose()
    assert _counts(f"sqlite:///{restored}") == _counts(f"sqlite:///{backup_file}")
    assert _counts(f"sqlite:///{restored}")["tag"] == in_backup


def test_restore_refuses_a_damaged_file_and_changes_nothing(runner, tmp_path):
    bad = tmp_path / "bad.dump"
    bad.write_bytes(b"not a backup at all" * 100)
    db.session.add(Tag(name="保留"))
    db.session.commit()
    result = runner.invoke(args=["restore", str(bad), "--yes"])
    assert result.exit_code == 1 and "Error:" in result.output
    assert [t.name for t in db.session.scalars(select(Tag))] == ["保留"]


def _new_database(url: str, tmp_path):
    """An empty database of the same kind; returns (url, drop)."""
    if not url.startswith("postgresql"):
        return f"sqlite:///{tmp_path / 'new.sqlite3'}", lambda: None
    name = f"restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def test_the_demo_backs_up_and_restores_into_a_new_database(app, runner, tmp_path):
    """SQLite: the online backup API; PostgreSQL (TEST_DATABASE_URL): pg_dump -Fc and pg_restore."""
    from portal.demo.loader import load_demo

    load_demo(lambda _line: None)
    db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    out = tmp_path / "portal.backup"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:5] == (b"PGDMP" if url.startswith("postgresql") else b"SQLit")
    target, drop = _new_database(url, tmp_path)
    try:
        other = create_app({"SQLALCHEMY_DATABASE_URI": target, "TESTING": True, "SECRET_KEY": "x"})
        with other.app_context():
            result = other.test_cli_runner().invoke(args=["restore", str(out), "--yes"])
            assert result.exit_code == 0, result.output
            db.engine.dispose()
        db.session.commit()
        source_counts = _counts(url)
        assert source_counts["work_order"] >= 961 and source_counts["kb_search_doc"] > 0
        assert _counts(target) == source_counts
    finally:
        drop()
