"""KB search structures: SQLite FTS5 trigram table and triggers, PostgreSQL pg_trgm GIN index

Revision ID: 1c80af76bc3c
Revises: f095b6b21b68
Create Date: 2026-12-01 16:05:00

Until now the FTS5 table was created at run time (portal.knowledge.search.ensure_fts); a database
that already has it (any site that published an entry) keeps it: every statement is IF NOT EXISTS,
and the table is rebuilt from kb_search_doc either way.
"""
from alembic import op


revision = '1c80af76bc3c'
down_revision = 'f095b6b21b68'
branch_labels = None
depends_on = None

FTS = "kb_search_fts"

SQLITE_UP = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(title, keywords, body, "
    "content='kb_search_doc', content_rowid='entry_id', tokenize='trigram')",
    f"""CREATE TRIGGER IF NOT EXISTS kb_search_doc_ai AFTER INSERT ON kb_search_doc BEGIN
      INSERT INTO {FTS}(rowid, title, keywords, body) VALUES (new.entry_id, new.title, new.keywords, new.body);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS kb_search_doc_ad AFTER DELETE ON kb_search_doc BEGIN
      INSERT INTO {FTS}({FTS}, rowid, title, keywords, body)
      VALUES ('delete', old.entry_id, old.title, old.keywords, old.body);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS kb_search_doc_au AFTER UPDATE ON kb_search_doc BEGIN
      INSERT INTO {FTS}({FTS}, rowid, title, keywords, body)
      VALUES ('delete', old.entry_id, old.title, old.keywords, old.body);
      INSERT INTO {FTS}(rowid, title, keywords, body) VALUES (new.entry_id, new.title, new.keywords, new.body);
    END""",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS kb_search_doc_au",
    "DROP TRIGGER IF EXISTS kb_search_doc_ad",
    "DROP TRIGGER IF EXISTS kb_search_doc_ai",
    f"DROP TABLE IF EXISTS {FTS}",
]

# The expression must stay identical to portal.knowledge.search.PG_HAYSTACK for the index to serve it.
POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_kb_search_doc_trgm ON kb_search_doc USING gin "
    "((title || ' ' || keywords || ' ' || body) gin_trgm_ops)",
]
POSTGRESQL_DOWN = [
    "DROP INDEX IF EXISTS ix_kb_search_doc_trgm",
]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(POSTGRESQL_UP)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        # The pg_trgm extension is left installed: other objects of the database may use it.
        _run(POSTGRESQL_DOWN)
