"""Write many rows fast into the schema's own tables: executemany on SQLite, COPY on PostgreSQL.

Rows are tuples in the order of `columns`; enums as their stored values, JSON as text, and datetimes as whole
seconds since 1970-01-01 (ints, naive like the database's datetimes): SQLite turns them into SQLAlchemy's own
text form in the INSERT itself, PostgreSQL gets datetimes. Explicit primary keys are written, so PostgreSQL's
sequences are moved past them afterwards.

On SQLite the load has its own connection, tuned for it (no foreign-key checks: every id written is one the
generator just made; no fsync; a big page cache; temporary sort data in memory) and put back to the app's
settings before it returns to the pool. A crash during the load leaves a half-built data set to delete, as it
would anyway.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Table, text

from portal.extensions import db

EPOCH = datetime(1970, 1, 1)
# SQLAlchemy stores a DateTime on SQLite as 'YYYY-MM-DD HH:MM:SS.ffffff'; the text is what SQL compares.
SQLITE_DATETIME = "datetime(?, 'unixepoch') || '.000000'"
LOAD_PRAGMAS = ("PRAGMA foreign_keys = OFF", "PRAGMA synchronous = OFF", "PRAGMA cache_size = -262144",
                "PRAGMA temp_store = MEMORY")
PG_LOAD_SETTINGS = ("SET LOCAL synchronous_commit = off", "SET LOCAL maintenance_work_mem = '256MB'")
APP_PRAGMAS = ("PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -2000",
               "PRAGMA temp_store = DEFAULT")


def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def seconds(at: datetime) -> int:
    """A naive datetime as whole seconds since 1970-01-01."""
    return (at - EPOCH) // timedelta(seconds=1)


def _datetime_positions(table, columns) -> list[int]:
    if isinstance(table, str):
        return []
    return [i for i, c in enumerate(columns) if isinstance(table.c[c].type, DateTime)]


class BulkWriter:
    def __init__(self):
        self.dialect = db.session.get_bind().dialect.name
        self.written: set[str] = set()
        self._raw = None
        db.session.commit()
        if self.dialect == "sqlite":
            self._raw = db.engine.raw_connection()
            for pragma in LOAD_PRAGMAS:
                self._raw.driver_connection.execute(pragma)
        self.begin()

    def begin(self) -> None:
        if self._raw is not None:
            self._raw.driver_connection.execute("BEGIN IMMEDIATE")
        else:  # PostgreSQL: for this transaction only
            for setting in PG_LOAD_SETTINGS:
                db.session.connection().exec_driver_sql(setting)

    def commit(self) -> None:
        if self._raw is not None:
            self._raw.driver_connection.execute("COMMIT")
        else:
            db.session.commit()
        self.begin()

    def close(self, commit: bool = True) -> None:
        """Commit (or roll back), and give the connection back with the app's settings."""
        if self._raw is None:
            if commit:
                db.session.commit()
            else:
                db.session.rollback()
            return
        fairy, self._raw = self._raw, None  # the pool's handle: dropping it would roll back
        raw = fairy.driver_connection
        if raw.in_transaction:
            raw.execute("COMMIT" if commit else "ROLLBACK")
        for pragma in APP_PRAGMAS:
            raw.execute(pragma)
        fairy.close()

    def execute(self, sql: str) -> None:
        if self._raw is not None:
            self._raw.driver_connection.execute(sql)
        else:
            db.session.connection().exec_driver_sql(sql)

    def create_indexes(self, tables) -> None:
        from sqlalchemy.schema import CreateIndex

        for table in tables:
            for index in table.indexes:
                self.execute(str(CreateIndex(index, if_not_exists=True).compile(dialect=db.engine.dialect)))

    def drop_indexes(self, tables) -> None:
        from sqlalchemy.schema import DropIndex

        for table in tables:
            for index in table.indexes:
                self.execute(str(DropIndex(index, if_exists=True).compile(dialect=db.engine.dialect)))

    def write(self, table: Table | str, columns: tuple[str, ...], rows: list[tuple]) -> int:
        if not rows:
            return 0
        name = table if isinstance(table, str) else table.name
        if "id" in columns:
            self.written.add(name)
        quoted = ", ".join(f'"{c}"' for c in columns)
        times = _datetime_positions(table, columns)
        if self._raw is not None:
            marks = ", ".join(SQLITE_DATETIME if i in times else "?" for i in range(len(columns)))
            self._raw.driver_connection.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})', rows)
            return len(rows)
        raw = db.session.connection().connection.driver_connection
        with raw.cursor() as cur, cur.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
            if times:
                second = timedelta(seconds=1)
                for row in rows:
                    row = list(row)
                    for i in times:
                        if row[i] is not None:
                            row[i] = EPOCH + row[i] * second
                    copy.write_row(row)
            else:
                for row in rows:
                    copy.write_row(row)
        return len(rows)

    def fix_sequences(self) -> None:
        """Move PostgreSQL's id sequences past the explicit ids written (SQLite needs nothing)."""
        if self.dialect != "postgresql":
            return
        connection = db.session.connection()
        for name in sorted(self.written):
            seq = connection.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f'"{name}"'})
            if seq:
                connection.execute(text(f'SELECT setval(\'{seq}\', (SELECT COALESCE(MAX(id), 0) + 1 FROM "{name}"), false)'))

    def analyze(self) -> None:
        self.execute("ANALYZE")
