"""SQLite tuning: WAL, foreign keys, busy timeout and immediate write transactions."""
from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record):
    if not _is_sqlite(dbapi_connection):
        return
    # Let SQLAlchemy's "begin" hook below issue BEGIN itself.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    # A read-then-write transaction that began DEFERRED cannot wait for the write lock
    # (SQLITE_BUSY_SNAPSHOT is not retried), so every request that may write, and every
    # CLI command, takes the write lock up front. GET requests only read.
    if has_request_context() and request.method in READ_METHODS:
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def add_once(obj) -> bool:
    """Insert `obj` unless a unique key already holds the same row; True when it was inserted.

    "Check, then insert" races on PostgreSQL: another transaction may insert the same key between the check
    and the insert. The insert runs in a savepoint, so losing that race rolls back only this row (the other
    transaction's row is the one that counts) and the caller's transaction goes on.
    """
    from sqlalchemy.exc import IntegrityError

    from portal.extensions import db

    try:
        with db.session.begin_nested():
            db.session.add(obj)
        return True
    except IntegrityError:
        return False
