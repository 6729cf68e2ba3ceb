"""Several worker processes writing to one database never hit "database is locked".

Each process does what a gunicorn worker does in a POST request: read, then write, then commit,
many times, all at once. With deferred transactions this read-then-write pattern fails with
SQLITE_BUSY; the portal's IMMEDIATE write transactions make every worker wait its turn instead.
"""
from __future__ import annotations

import multiprocessing as mp
import os

from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.units.models import Unit

WORKERS, WRITES = 4, 40


def _worker(url: str, worker: int, queue) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    errors = 0
    for i in range(WRITES):
        with app.test_request_context(method="POST"):
            try:
                count = db.session.scalar(select(func.count(Unit.id)))  # read first …
                db.session.add(Unit(full_name=f"w{worker}-{i}-{count}", short_name=f"w{worker}-{i}"))  # … then write
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - the test reports any failure
                errors += 1
                queue.put(repr(exc))
            finally:
                db.session.remove()
    with app.app_context():
        db.engine.dispose()
    queue.put(("done", errors))


def test_concurrent_read_then_write_requests_do_not_lock(tmp_path):
    # On PostgreSQL the session's test database (tables exist, emptied after each test).
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, w, queue)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    results, failures = [], []
    while len(results) < WORKERS:
        item = queue.get(timeout=120)
        (results if isinstance(item, tuple) else failures).append(item)
    for p in procs:
        p.join(timeout=30)
    assert failures == []
    assert sum(errors for _, errors in results) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Unit.id))) == WORKERS * WRITES
        db.session.remove()
        db.engine.dispose()
