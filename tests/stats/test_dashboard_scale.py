"""Home pages and dashboards at scale (issue 14): one unit's pages read the per-unit sums (three queries),
never the orders' history, and a year costs the same number of queries as a month. Timings are in benchmarks/, not here.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from portal.auth.models import User
from portal.clock import now
from portal.demo.generate import Plan, generate
from portal.extensions import db
from tests.orders.factories import frozen

# Tables whose size grows with the orders' history (the sums and the current open orders do not count here).
HISTORY = re.compile(r'\b(order_fact|order_event|callback|call|reply|return_request|extension_request)\b"?\s')


@pytest.fixture
def city(app):
    with frozen():
        generate(Plan(orders=3000, units=12, years=1.2, seed=5, end=now().replace(microsecond=0)), echo=lambda *_: None)
        yield {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(("u001", "zhongxin"))))}


@contextmanager
def recorded():
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _login(client, user):
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True


def _periods():
    today = now().date()
    last = today.replace(day=1) - timedelta(days=1)
    month = (last.replace(day=1), last)
    first = month[0]
    for _ in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    return {"month": month, "year": (first, last)}


def _get(client, url):
    db.session.expunge_all()  # a fresh session, as each request has in production
    with recorded() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements


def test_one_units_pages_read_the_sums_not_the_history(city, client):
    _login(client, city["u001"])
    with frozen():
        client.get("/")  # fills the per-context caches (calendar, limits)
        pages = {"/": _get(client, "/")}
        for name, (start, end) in _periods().items():
            pages[f"/stats/unit {name}"] = _get(client, f"/stats/unit?start={start}&end={end}")
    for url, statements in pages.items():
        sums = [s for s in statements if re.search(r"\bstat_(day|month|change)\b", s)]
        # Whole months (these periods have no other days, so no day rows are read) and the changes not
        # counted yet.
        assert len(sums) == 2, (url, len(sums))
        assert any("FROM stat_month" in s for s in sums) and any("FROM stat_change" in s for s in sums), url
        # Not in the sums: the 协办 figures read their own small table (order_task, co-handled parts only);
        # every other statement must stay off the history.
        later = [s for s in statements if "order_task" in s]
        history = [s[:200] for s in statements if HISTORY.search(s) and s not in later]
        assert not history, (url, history)


def test_a_year_costs_the_queries_of_a_month(city, client):
    counts = {}
    with frozen():
        for username, endpoint in (("u001", "/stats/unit"), ("zhongxin", "/stats/")):
            _login(client, city[username])
            client.get("/")
            for name, (start, end) in _periods().items():
                counts[(endpoint, name)] = len(_get(client, f"{endpoint}?start={start}&end={end}"))
            assert counts[(endpoint, "month")] == counts[(endpoint, "year")], counts
    assert counts[("/stats/", "year")] > 0


def test_the_centre_dashboard_reads_calls_only_for_todays_part_of_the_period(city, client):
    _login(client, city["zhongxin"])
    with frozen():
        client.get("/")
        today = now().date()
        statements = _get(client, f"/stats/?start={today.replace(day=1)}&end={today}")
        older = _get(client, f"/stats/?start={date(today.year - 1, 1, 1)}&end={date(today.year - 1, 12, 31)}")
    assert [s for s in statements if re.search(r'\bcall\b"?\s', s)], "today's calls come from the call table"
    assert not [s for s in older if re.search(r'\bcall\b"?\s', s)], "a closed period reads call_day only"
