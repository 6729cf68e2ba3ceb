"""Shared fixtures (flaskr style): app, client, runner, login_as, factories.

The database is SQLite in a temporary file, or PostgreSQL when TEST_DATABASE_URL is set
(`make test` runs the suite on both). The schema is built once per session by the migrations
(as on a real site, search structures included) and the tables are emptied after each test. Each test runs inside one pushed app context that the test client's
requests reuse, so the test and its requests share one session.
"""
from __future__ import annotations

import os

import pytest
from flask import g, request_started
from flask_migrate import upgrade
from sqlalchemy import text

from portal import create_app
from portal.extensions import db, limiter
from tests import factories


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _forget_request_state(_sender, **_extra):
    # Requests reuse the test's app context, so `g` outlives a request; forget the
    # cached user as a real server would.
    g.pop("_login_user", None)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,  # the test client speaks plain HTTP
        "REMEMBER_COOKIE_SECURE": False,
        # Tests travel in time (frozen clocks days apart); the session limits have their own tests.
        "SESSION_IDLE_MINUTES": 10 * 365 * 24 * 60,
        "SESSION_MAX_HOURS": 10 * 365 * 24,
        "PERMANENT_SESSION_LIFETIME": 10 * 365 * 24 * 3600,
        "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
    })
    request_started.connect(_forget_request_state, app)
    with app.app_context():
        _drop_everything()
        upgrade(revision="heads")
    yield app
    with app.app_context():
        db.session.remove()
        _drop_everything()
        db.engine.dispose()


def _drop_everything() -> None:
    """Drop the models' tables and what only the migrations make (a PostgreSQL test database is reused)."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TABLE IF EXISTS kb_search_fts")
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    db.drop_all()


def _empty_all_tables() -> None:
    db.session.rollback()
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            if table.name == "audit_event":  # its trigger keeps young rows: start it afresh instead
                table.drop(db.session.connection())
                table.create(db.session.connection())
            else:
                db.session.execute(table.delete())
    db.session.commit()


PACKAGE_YEARS = range(2004, 2027)


@pytest.fixture(autouse=True)
def package_years(monkeypatch):
    """The years chinesecalendar knows, as the tests state them (2004–2026), so an upgrade of the package
    that adds 2027 changes no test; call the fixture with other years to make some unknown."""
    import chinese_calendar

    from portal.calendar import workdays

    real = chinese_calendar.is_workday

    def set_years(years):
        def is_workday(day):
            if day.year not in years:
                raise NotImplementedError(day.year)
            return real(day)

        monkeypatch.setattr(workdays.chinese_calendar, "is_workday", is_workday)
        workdays.official_working_day.cache_clear()

    set_years(PACKAGE_YEARS)
    yield set_years
    workdays.official_working_day.cache_clear()


@pytest.fixture(autouse=True)
def app_ctx(app):
    with app.app_context():
        yield
        _empty_all_tables()
        db.session.remove()
    # Flask-Limiter keeps one `enabled` flag per Limiter object, set by the last init_app: any app a test
    # made with create_app() (rate limiting on by default) must not leave it on for the next tests.
    limiter.enabled = app.config["RATELIMIT_ENABLED"]


@pytest.fixture
def make_app(app):
    """Create another app on the same database with some settings changed; disposed afterwards."""
    made = []

    def _make(**overrides):
        other = create_app({**app.config, **overrides})
        made.append(other)
        return other

    yield _make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    # Flask-Limiter keeps one `enabled` flag per Limiter object, set by the last init_app: give the
    # session app its own setting back so a rate-limited app does not leak into later tests.
    limiter.enabled = app.config["RATELIMIT_ENABLED"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login_as(client):
    """Log the test client in as a new user of `role` (and `unit` for unit roles); return the user."""

    def _login(role, unit=None, **kwargs):
        from portal.auth.roles import Role

        role = Role(role)
        if role.is_unit_role and unit is None:
            unit = factories.UnitFactory()
        user = factories.UserFactory(role=role, unit=unit if role.is_unit_role else None, **kwargs)
        with client.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
        return user

    return _login
