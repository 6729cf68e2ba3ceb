"""Migrations for a living system (SQLite and PostgreSQL).

The chain is linear from the frozen baseline; `upgrade head` builds exactly the models plus the search
structures; a site still at the baseline, full of data, upgrades to head without losing a row.
"""
from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db, include_name

BASELINE = "215b39df4673"


@pytest.fixture
def database_urls(tmp_path):
    """Return a factory of empty databases of the kind under test (dropped afterwards)."""
    base = os.environ.get("TEST_DATABASE_URL")
    made = []
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT") if base else None

    def _new() -> str:
        name = f"migr_{uuid.uuid4().hex[:8]}"
        made.append(name)
        if not base:
            return f"sqlite:///{tmp_path / name}.sqlite3"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return make_url(base).set(database=name).render_as_string(hide_password=False)

    yield _new
    if admin is not None:
        with admin.connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _app(url: str, tmp_path):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x",
                       "UPLOAD_FOLDER": str(tmp_path / "uploads")})


def _script() -> ScriptDirectory:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def test_revision_chain_is_linear_and_starts_at_the_frozen_baseline():
    script = _script()
    heads = script.get_heads()
    assert len(heads) == 1, f"several heads {heads}: re-point your down_revision to the current head"
    chain = list(script.walk_revisions("base", "heads"))  # head first
    assert chain[-1].revision == BASELINE and chain[-1].down_revision is None
    for rev in chain:
        assert not isinstance(rev.down_revision, (tuple, list)), f"{rev.revision} merges branches"
        assert len(rev.nextrev) <= 1, f"{rev.revision} has several children {rev.nextrev}"
    assert len({rev.revision for rev in chain}) == len(list(script.walk_revisions()))


def _search_structures(conn) -> set[str]:
    if conn.dialect.name == "sqlite":
        rows = conn.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'kb_search_%'"))
    else:
        rows = conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'kb_search_doc'"))
    return set(rows.scalars())


def test_upgrade_head_equals_models_and_downgrades_cleanly(database_urls, tmp_path):
    app = _app(database_urls(), tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
            diff = compare_metadata(context, db.metadata)
            structures = _search_structures(conn)
        assert diff == [], f"models and migrations differ; add a migration (`flask --app wsgi db revision --autogenerate`): {diff}"
        if db.engine.dialect.name == "sqlite":
            assert {"kb_search_fts", "kb_search_doc_ai", "kb_search_doc_ad", "kb_search_doc_au"} <= structures
        else:
            assert "ix_kb_search_doc_trgm" in structures
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def _copy_rows(source, target) -> None:
    """Copy every row of the target's tables from the source, column by column the target has."""
    src_meta, dst_meta = MetaData(), MetaData()
    src_meta.reflect(source)
    dst_meta.reflect(target)
    with source.connect() as src, target.begin() as dst:
        if dst.dialect.name == "postgresql":
            dst.execute(text("SET session_replication_role = replica"))  # parents and children in any order
        else:
            dst.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        for table in dst_meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            columns = [c for c in src_meta.tables[table.name].c if c.name in table.c]
            rows = [dict(r) for r in src.execute(select(*columns)).mappings()]
            if rows:
                dst.execute(table.insert(), rows)


def _counts(engine) -> dict[str, int]:
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {name: conn.scalar(select(func.count()).select_from(table))
                for name, table in meta.tables.items() if not name.startswith("kb_search_fts")}


def test_a_site_at_the_baseline_full_of_demo_data_upgrades_to_head_keeping_every_row(database_urls, tmp_path):
    # The demo is loaded by today's code (into a head database), then copied into a database built at
    # the baseline: the baseline holds the demo whatever the models have become since.
    source_app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
                             "TESTING": True, "SECRET_KEY": "x", "UPLOAD_FOLDER": str(tmp_path / "up")})
    with source_app.app_context():
        upgrade()
        from portal.demo.loader import load_demo
        load_demo(lambda _line: None)
        db.session.commit()
        source = db.engine

        site = _app(database_urls(), tmp_path)
        with site.app_context():
            upgrade(revision=BASELINE)
            _copy_rows(source, db.engine)
            before = _counts(db.engine)
            assert before["work_order"] >= 961 and before["kb_search_doc"] > 0 and before["call"] >= 6196
            upgrade()
            after = _counts(db.engine)
            assert {name: after[name] for name in before} == before
            from portal.knowledge.search import search
            _query, hits = search("危房改造补助")
            assert hits, "search works on the upgraded site (FTS filled from kb_search_doc)"
            db.session.remove()
            db.engine.dispose()
        source.dispose()


def test_lifecycle_checks_mend_existing_rows_from_their_history(database_urls, tmp_path):
    """a7c3e1f04b21 fills handle_started_at and mends rows the new CHECK constraints would refuse."""
    app = _app(database_urls(), tmp_path)
    with app.app_context():
        upgrade(revision=BASELINE)
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


def test_kb_categories_are_made_from_the_categories_entries_already_use(database_urls, tmp_path):
    """5d2b8c4e9f10 lists every distinct non-empty 类目 on existing versions, in order of first use."""
    app = _app(database_urls(), tmp_path)
    with app.app_context():
        upgrade(revision="c7a9d2e4f6b1")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO unit (id, full_name, short_name, \"group\", display_order, aliases, active, "
                              "created_at) VALUES (1, '单位甲全称', '单位甲', '市直部门', 1, '[]', true, '2018-08-01')"))
            conn.execute(text("INSERT INTO kb_entry (id, unit_id, title, status, created_at, updated_at) VALUES "
                              "(1, 1, '甲', 'published', '2018-08-01', '2018-08-01'), "
                              "(2, 1, '乙', 'draft', '2018-08-01', '2018-08-01')"))
            conn.execute(text(
                "INSERT INTO kb_entry_version (id, entry_id, number, status, category, title, answer, policy_basis, "
                "issuer, material_kind, keywords, created_at) VALUES "
                "(1, 1, 1, 'superseded', '供水服务', '甲', 'a', '', '', '常见问题', '[]', '2018-08-01'), "
                "(2, 1, 2, 'published', '社会救助', '甲', 'a', '', '', '常见问题', '[]', '2018-08-02'), "
                "(3, 2, 1, 'draft', '', '乙', 'a', '', '', '常见问题', '[]', '2018-08-03'), "
                "(4, 2, 2, 'draft', '供水服务', '乙', 'a', '', '', '常见问题', '[]', '2018-08-04')"))
        upgrade()
        with db.engine.connect() as conn:
            listed = conn.execute(text("SELECT name, display_order, active FROM kb_category ORDER BY display_order")).all()
            kept = conn.execute(text("SELECT category FROM kb_entry_version ORDER BY id")).scalars().all()
        assert [(r.name, r.display_order, bool(r.active)) for r in listed] == [("供水服务", 10, True), ("社会救助", 20, True)]
        assert kept == ["供水服务", "社会救助", "", "供水服务"]
        downgrade(revision="c7a9d2e4f6b1")
        assert "kb_category" not in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_identity_migration_gives_todays_admins_all_three_duties_and_keeps_published_files_visible(
        database_urls, tmp_path):
    """a3f61c2d7e08: every admin also becomes security administrator and auditor (a centre of one person keeps
    every power); files of published KB entries count as approved, files of unpublished ones wait."""
    before = _script().get_revision("a3f61c2d7e08").down_revision
    app = _app(database_urls(), tmp_path)
    with app.app_context():
        upgrade(revision=before)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO unit (id, full_name, short_name, \"group\", display_order, aliases, active, "
                              "created_at) VALUES (1, '单位甲全称', '单位甲', '市直部门', 1, '[]', true, '2018-08-01')"))
            conn.execute(text(
                "INSERT INTO \"user\" (id, username, name, role, active, password_hash, must_change_password, "
                "session_version, created_at) VALUES (1, 'admin', '管理员', 'admin', true, 'x', false, 1, '2018-08-01'), "
                "(2, 'staff', '工作人员', 'centre_staff', true, 'x', false, 1, '2018-08-01'), "
                "(3, 'old', '停用的管理员', 'admin', false, 'x', false, 1, '2018-08-01')"))
            conn.execute(text("INSERT INTO kb_entry (id, unit_id, title, status, created_at, updated_at, "
                              "published_version_id) VALUES (1, 1, '甲', 'published', '2018-08-01', '2018-08-01', 1), "
                              "(2, 1, '乙', 'draft', '2018-08-01', '2018-08-01', NULL)"))
            conn.execute(text(
                "INSERT INTO kb_attachment (id, entry_id, filename, stored_name, content_type, size, uploaded_at) "
                "VALUES (1, 1, 'a.pdf', 'a1.pdf', 'application/pdf', 1, '2018-08-02'), "
                "(2, 2, 'b.pdf', 'b1.pdf', 'application/pdf', 1, '2018-08-03')"))
        upgrade()
        with db.engine.connect() as conn:
            duties = conn.execute(text("SELECT user_id, role FROM user_duty ORDER BY user_id, role")).all()
            approved = conn.execute(text("SELECT id, approved_at FROM kb_attachment ORDER BY id")).all()
            unit_flag = conn.execute(text("SELECT second_factor_required FROM unit")).scalar()
        assert [tuple(r) for r in duties] == [(1, "auditor"), (1, "security_admin"), (3, "auditor"), (3, "security_admin")]
        assert approved[0].approved_at is not None and approved[1].approved_at is None
        assert not unit_flag
        downgrade(revision=before)
        assert "user_duty" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
