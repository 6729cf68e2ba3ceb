"""Browser tests: Python Playwright driving Debian's chromium against a live server.

The live server runs the real app on 127.0.0.1 in a thread, on its own SQLite database
built by the migrations and loaded with the demo data set, exactly as `make run` does.
"""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.demo.accounts import DEMO_PASSWORD
from portal.extensions import db
from tests.e2e import pages

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    from flask_migrate import upgrade

    from portal.demo.loader import load_demo

    root = tmp_path_factory.mktemp("e2e")
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'e2e.sqlite3'}",
        "SECRET_KEY": "e2e-secret",
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,  # the live server speaks plain HTTP
        "UPLOAD_FOLDER": str(root / "uploads"),
    })
    with app.app_context():
        upgrade()
        load_demo(echo=lambda *_: None)
        db.session.remove()
    pages.LIVE_APP = app
    return app


class _BufferedResponses:
    """Hand Werkzeug's dev server each response as bytes already read and closed.

    When the browser drops a connection (Chromium cancels static requests as it navigates), the dev
    server raises while draining the socket in its `finally` block, before it calls close() on the
    application iterator, so a file served by send_file stays open. Production runs gunicorn; this
    harness only needs no file left open.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        result = self.app(environ, start_response)
        try:
            return [b"".join(result)]
        finally:
            if hasattr(result, "close"):
                result.close()


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, _BufferedResponses(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture
def login(page, base_url):
    """Log the page in through the login form as a demo account."""

    def _login(username: str, password: str = DEMO_PASSWORD):
        page.goto(f"{base_url}/login")
        pages.fill_login(page, username, password)
        page.wait_for_load_state("networkidle")
        return page

    return _login
