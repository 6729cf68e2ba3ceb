"""The migrations at head build exactly the schema the models describe (SQLite and PostgreSQL)."""
from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"migr_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_head_equals_models_and_downgrades_cleanly(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations differ; run `make schema`: {diff}"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_lifecycle_checks_mend_existing_rows_from_their_history(empty_database_url):
    """a7c3e1f04b21 fills handle_started_at and mends rows the new CHECK constraints would refuse."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade(revision="215b39df4673")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO unit (id, full_name, short_name, \"group\", display_order, aliases, active, "
                              "created_at) VALUES (1, '单位甲全称', '单位甲', '市直部门', 1, '[]', true, '2018-08-01')"))
            columns = ("id, number, accepted_at, kind, title, content, urgent, confidential, state, unit_id, "
                       "last_unit_id, dispatched_at, completed_at, closed_at, merged_into_id, return_count, "
                       "extension_count, reopen_count, designated, created_at, version")
            rows = [
                "(1, 'A1', '2018-08-01 09:00', 'consult', 't', 'c', false, false, 'closed', 1, 1, '2018-08-01 10:00', "
                "NULL, NULL, NULL, 0, 0, 0, false, '2018-08-01', 1)",
                "(2, 'A2', '2018-08-02 09:00', 'consult', 't', 'c', false, false, 'merged', NULL, NULL, NULL, "
                "NULL, NULL, NULL, 0, 0, 0, false, '2018-08-02', 1)",
                "(3, 'A3', '2018-08-03 09:00', 'consult', 't', 'c', false, false, 'in_progress', NULL, 1, "
                "'2018-08-03 10:00', NULL, NULL, NULL, 0, 0, 1, false, '2018-08-03', 1)",
            ]
            conn.execute(text(f"INSERT INTO work_order ({columns}) VALUES {', '.join(rows)}"))
            conn.execute(text("INSERT INTO order_event (order_id, action, at, text, data) VALUES "
                              "(1, 'accept_reply', '2018-08-04 11:00', '', '{}'), "
                              "(2, 'merge', '2018-08-02 12:00', '', '{\"into_id\": 1}'), "
                              "(3, 'reopen', '2018-08-09 15:00', '', '{}')"))
            conn.execute(text("INSERT INTO reply (order_id, unit_id, submitted_at, result, contact_way, resolved, "
                              "status, unresolved_reason, review_note) VALUES "
                              "(1, 1, '2018-08-04 09:00', '已办', '电话', true, 'approved', '', '')"))
        upgrade()
        with db.engine.connect() as conn:
            got = {row.number: row for row in conn.execute(text(
                "SELECT number, unit_id, merged_into_id, completed_at, closed_at, handle_started_at "
                "FROM work_order ORDER BY number"))}
        assert str(got["A1"].completed_at).startswith("2018-08-04 09:00")
        assert str(got["A1"].closed_at).startswith("2018-08-04 11:00")
        assert str(got["A1"].handle_started_at).startswith("2018-08-01 10:00")
        assert got["A2"].merged_into_id == 1
        assert got["A3"].unit_id == 1 and str(got["A3"].handle_started_at).startswith("2018-08-09 15:00")
        downgrade(revision="base")
        db.engine.dispose()
