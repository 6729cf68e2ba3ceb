"""The lists' keyword filter (number, title, content, address) on a trigram index.

SQLite: an FTS5 table with the trigram tokenizer (work_order_fts, external content = work_order, kept in
step by triggers). PostgreSQL: pg_trgm GIN indexes on the four columns, which serve LIKE '%…%'. Both match
substrings of 3 or more characters; shorter keywords use LIKE on the table (the other conditions bound it).

The structures are dialect-specific, so they live outside the models: the migration creates them, and
create_all (tests) gets them from the `after_create` hook below. `include_object` tells autogenerate and
the migrations test to leave them alone.
"""
from __future__ import annotations

from sqlalchemy import event, or_, text

from portal.extensions import db
from portal.orders.models import WorkOrder

FTS = "work_order_fts"
MIN_TRIGRAM = 3
MANY_MATCHES = 2000
COLUMNS = ("number", "title", "content", "address")
TRGM_INDEXES = tuple(f"ix_work_order_{c}_trgm" for c in COLUMNS)

_cols = ", ".join(COLUMNS)
_new = ", ".join(f"new.{c}" for c in COLUMNS)
_old = ", ".join(f"old.{c}" for c in COLUMNS)
SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5({_cols}, content='work_order', content_rowid='id', "
    "tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS work_order_fts_ai AFTER INSERT ON work_order BEGIN "
    f"INSERT INTO {FTS}(rowid, {_cols}) VALUES (new.id, {_new}); END",
    f"CREATE TRIGGER IF NOT EXISTS work_order_fts_ad AFTER DELETE ON work_order BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, {_cols}) VALUES ('delete', old.id, {_old}); END",
    f"CREATE TRIGGER IF NOT EXISTS work_order_fts_au AFTER UPDATE OF {_cols} ON work_order BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, {_cols}) VALUES ('delete', old.id, {_old}); "
    f"INSERT INTO {FTS}(rowid, {_cols}) VALUES (new.id, {_new}); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS work_order_fts_ai", "DROP TRIGGER IF EXISTS work_order_fts_ad",
    "DROP TRIGGER IF EXISTS work_order_fts_au", f"DROP TABLE IF EXISTS {FTS}",
)
POSTGRESQL_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(f"CREATE INDEX IF NOT EXISTS ix_work_order_{c}_trgm ON work_order USING gin ({c} gin_trgm_ops)"
      for c in COLUMNS),
)
POSTGRESQL_DROP = tuple(f"DROP INDEX IF EXISTS {name}" for name in TRGM_INDEXES)


def create_ddl(dialect: str) -> tuple[str, ...]:
    return {"sqlite": SQLITE_DDL, "postgresql": POSTGRESQL_DDL}.get(dialect, ())


def drop_ddl(dialect: str) -> tuple[str, ...]:
    return {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(dialect, ())


@event.listens_for(WorkOrder.__table__, "after_create")
def _create(target, connection, **_kw):
    for ddl in create_ddl(connection.dialect.name):
        connection.exec_driver_sql(ddl)


@event.listens_for(WorkOrder.__table__, "before_drop")
def _drop(target, connection, **_kw):
    for ddl in drop_ddl(connection.dialect.name):
        connection.exec_driver_sql(ddl)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate filter: the search structures are not in the models on purpose."""
    if type_ == "table" and name and name.startswith(FTS):
        return False
    if type_ == "index" and name in TRGM_INDEXES:
        return False
    return True


def keyword_condition(keyword: str, dialect: str):
    """WHERE condition: the keyword occurs in the number, title, content or address."""
    if dialect == "sqlite" and len(keyword) >= MIN_TRIGRAM:
        phrase = '"' + keyword.replace('"', '""') + '"'
        # Few matches: fetch them by rowid and sort them. Many: walk the list's own index in its order and
        # keep the rows that match (the unary + stops SQLite from choosing the rowid list), so page 1 stays
        # as cheap at a million orders as at a thousand.
        many = db.session.scalar(text(f"SELECT count(*) FROM (SELECT 1 FROM {FTS} WHERE {FTS} MATCH :kw LIMIT :n)"),
                                 {"kw": phrase, "n": MANY_MATCHES}) >= MANY_MATCHES
        column = "+work_order.id" if many else "work_order.id"
        return text(f"{column} IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH :kw)").bindparams(kw=phrase)
    return or_(*(getattr(WorkOrder, c).contains(keyword, autoescape=True) for c in COLUMNS))
