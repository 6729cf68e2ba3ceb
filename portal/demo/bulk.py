"""Write many rows fast into the schema's own tables: executemany on SQLite, COPY on PostgreSQL.

Rows are tuples in the order of `columns`; enums as their stored values, JSON as text, datetimes naive.
Explicit primary keys are written, so PostgreSQL's sequences are moved past them afterwards.
"""
from __future__ import annotations

import json

from sqlalchemy import DateTime, Table, text

from portal.extensions import db


def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sqlite_datetimes(table, columns, rows):
    """Datetimes as SQLAlchemy stores them on SQLite ('YYYY-MM-DD HH:MM:SS.ffffff'): the text is what SQL
    compares, so a bulk row must read exactly like one the ORM wrote."""
    if isinstance(table, str):
        return rows
    positions = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, DateTime)]
    if not positions:
        return rows
    out = []
    for row in rows:
        row = list(row)
        for i in positions:
            if row[i] is not None:
                row[i] = row[i].isoformat(" ", "microseconds")
        out.append(row)
    return out


class BulkWriter:
    def __init__(self):
        self.dialect = db.session.get_bind().dialect.name
        self.written: set[str] = set()

    @property
    def connection(self):
        """The session's connection (a new one after each commit)."""
        return db.session.connection()

    def write(self, table: Table | str, columns: tuple[str, ...], rows: list[tuple]) -> int:
        if not rows:
            return 0
        name = table if isinstance(table, str) else table.name
        if "id" in columns:
            self.written.add(name)
        quoted = ", ".join(f'"{c}"' for c in columns)
        raw = self.connection.connection.driver_connection
        if self.dialect == "sqlite":
            raw.execute("PRAGMA cache_size = -262144")  # 256 MB: index pages stay in memory during the load
            rows = _sqlite_datetimes(table, columns, rows)
        if self.dialect == "postgresql":
            with raw.cursor() as cur, cur.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            raw.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})', rows)
        return len(rows)

    def fix_sequences(self) -> None:
        """Move PostgreSQL's id sequences past the explicit ids written (SQLite needs nothing)."""
        if self.dialect != "postgresql":
            return
        for name in sorted(self.written):
            seq = self.connection.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f'"{name}"'})
            if seq:
                self.connection.execute(text(f'SELECT setval(\'{seq}\', (SELECT COALESCE(MAX(id), 0) + 1 FROM "{name}"), false)'))

    def analyze(self) -> None:
        self.connection.execute(text("ANALYZE"))
