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
            assert before["work_order"] >= 961 and before["kb_search_doc"] > 0 and before["call"] == 6196
            upgrade()
            after = _counts(db.engine)
            assert {name: after[name] for name in before} == before
            from portal.knowledge.search import search
            _query, hits = search("危房改造补助")
            assert hits, "search works on the upgraded site (FTS filled from kb_search_doc)"
            db.session.remove()
            db.engine.dispose()
        source.dispose()
