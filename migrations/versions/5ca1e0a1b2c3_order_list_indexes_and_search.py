"""Order lists at city scale: indexes for every list order, trigram search of number/title/content/address

Revision ID: 5ca1e0a1b2c3
Revises: c7a1e2f4b9d3
Create Date: 2026-12-01 16:40:00

Partial indexes hold only orders still moving (not 已办结/已并单). The keyword search is an FTS5 trigram
table kept in step by triggers on SQLite, and pg_trgm GIN indexes on PostgreSQL (outside the models:
portal/orders/search.py). The DDL is written out here so this revision never changes with the app code.
"""
from alembic import op

revision = "5ca1e0a1b2c3"
down_revision = 'c7a1e2f4b9d3'
branch_labels = None
depends_on = None

OPEN_SQL = "state IN ('pending', 'dispatched', 'in_progress', 'return_requested', 'extension_requested', 'replied')"
OPEN_INDEXES = {
    "ix_work_order_open_unit_deadline": ["unit_id", "handle_deadline", "id"],
    "ix_work_order_open_unit_accepted": ["unit_id", "accepted_at", "id"],
    "ix_work_order_open_deadline": ["handle_deadline", "id"],
    "ix_work_order_open_accepted": ["accepted_at", "id"],
}
INDEXES = {
    "ix_work_order_unit_state_accepted": ["unit_id", "state", "accepted_at", "id"],
    "ix_work_order_unit_state_deadline": ["unit_id", "state", "handle_deadline", "id"],
    "ix_work_order_state_accepted": ["state", "accepted_at", "id"],
    "ix_work_order_state_deadline": ["state", "handle_deadline", "id"],
    "ix_work_order_deadline": ["handle_deadline", "id"],
}
COLUMNS = ("number", "title", "content", "address")
_cols = ", ".join(COLUMNS)
_new = ", ".join(f"new.{c}" for c in COLUMNS)
_old = ", ".join(f"old.{c}" for c in COLUMNS)
SQLITE_SEARCH = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS work_order_fts USING fts5({_cols}, content='work_order', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS work_order_fts_ai AFTER INSERT ON work_order BEGIN "
    f"INSERT INTO work_order_fts(rowid, {_cols}) VALUES (new.id, {_new}); END",
    "CREATE TRIGGER IF NOT EXISTS work_order_fts_ad AFTER DELETE ON work_order BEGIN "
    f"INSERT INTO work_order_fts(work_order_fts, rowid, {_cols}) VALUES ('delete', old.id, {_old}); END",
    f"CREATE TRIGGER IF NOT EXISTS work_order_fts_au AFTER UPDATE OF {_cols} ON work_order BEGIN "
    f"INSERT INTO work_order_fts(work_order_fts, rowid, {_cols}) VALUES ('delete', old.id, {_old}); "
    f"INSERT INTO work_order_fts(rowid, {_cols}) VALUES (new.id, {_new}); END",
    "INSERT INTO work_order_fts(work_order_fts) VALUES ('rebuild')",
)
SQLITE_SEARCH_DROP = (
    "DROP TRIGGER IF EXISTS work_order_fts_ai", "DROP TRIGGER IF EXISTS work_order_fts_ad",
    "DROP TRIGGER IF EXISTS work_order_fts_au", "DROP TABLE IF EXISTS work_order_fts",
)
POSTGRESQL_SEARCH = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(f"CREATE INDEX IF NOT EXISTS ix_work_order_{c}_trgm ON work_order USING gin ({c} gin_trgm_ops)"
      for c in COLUMNS),
)
POSTGRESQL_SEARCH_DROP = tuple(f"DROP INDEX IF EXISTS ix_work_order_{c}_trgm" for c in COLUMNS)


def upgrade():
    import sqlalchemy as sa

    with op.batch_alter_table("work_order", schema=None) as batch_op:
        for name, columns in OPEN_INDEXES.items():
            batch_op.create_index(name, columns, unique=False, sqlite_where=sa.text(OPEN_SQL),
                                  postgresql_where=sa.text(OPEN_SQL))
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    dialect = op.get_bind().dialect.name
    for ddl in {"sqlite": SQLITE_SEARCH, "postgresql": POSTGRESQL_SEARCH}.get(dialect, ()):
        op.execute(ddl)


def downgrade():
    dialect = op.get_bind().dialect.name
    for ddl in {"sqlite": SQLITE_SEARCH_DROP, "postgresql": POSTGRESQL_SEARCH_DROP}.get(dialect, ()):
        op.execute(ddl)
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        for name in [*INDEXES, *OPEN_INDEXES][::-1]:
            batch_op.drop_index(name)
