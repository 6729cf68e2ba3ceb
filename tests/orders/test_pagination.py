"""Page numbers with keyset continuation: following the pager's links visits every row of a list once, in the
list's order, whichever way one walks; a typed page number or a stale cursor still shows the right rows."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.clock import now
from portal.demo.generate import Plan, generate
from portal.extensions import db
from portal.orders import queries

ROW = re.compile(r'<tr data-testid="order-row">\s*<td[^>]*><a href="[^"]+">(\d+)</a>')
LINK = re.compile(r'<a class="page-link" href="([^"]+)"[^>]*>([^<]+)</a>')


@pytest.fixture
def orders(app):
    app.config["PAGE_SIZE"] = 7
    generate(Plan(orders=300, units=4, years=0.1, seed=5, end=now().replace(microsecond=0)), echo=lambda *_: None)
    yield
    app.config["PAGE_SIZE"] = 20


def _login(client, username):
    user = db.session.scalars(select(User).where(User.username == username)).one()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    return user


def _page(client, url):
    html = client.get(url).get_data(as_text=True)
    links = {label: unescape(href) for href, label in LINK.findall(html)}
    return ROW.findall(html), links


def _expected(user, tab_key, tabs, sort):
    tab = queries.find_tab(tabs, tab_key)
    stmt = queries.order_select(user, tab, queries.Filters(sort=sort))
    return [o.number for o in db.session.scalars(stmt)]


@pytest.mark.parametrize("who,endpoint,tab,sort", [
    ("zhongxin", "/orders/queues", "all", "accepted"),
    ("zhongxin", "/orders/queues", "closed", "deadline"),
    ("zhongxin", "/orders/queues", "all", "-deadline"),
    ("u001", "/orders/mine", "closed", "accepted"),
    ("zhongxin", "/orders/queues", "closed", "-deadline"),
])
def test_next_and_previous_links_walk_the_whole_list(orders, client, who, endpoint, tab, sort):
    user = _login(client, who)
    tabs = queries.UNIT_TABS if endpoint == "/orders/mine" else queries.CENTRE_QUEUES
    expected = _expected(user, tab, tabs, sort)
    assert len(expected) > 14
    seen, url, pages = [], f"{endpoint}?tab={tab}&sort={sort}", []
    while url:
        rows, links = _page(client, url)
        seen += rows
        pages.append((url, rows))
        url = links.get("下一页")
        if url and tab in ("all", "closed") and "tab=all" in url and "deadline" not in sort:
            assert "c=a" in url  # the next page continues after the last row: no OFFSET
    assert seen == expected
    # Backwards from the last page with 上一页 gives the same pages.
    url, back = pages[-1][0], []
    while url:
        rows, links = _page(client, url)
        back.insert(0, rows)
        url = links.get("上一页")
    assert [r for rows in back for r in rows] == expected


def test_page_numbers_and_typed_pages(orders, client):
    user = _login(client, "zhongxin")
    expected = _expected(user, "all", queries.CENTRE_QUEUES, "accepted")
    rows, links = _page(client, "/orders/queues?tab=all&sort=accepted")
    # Two pages ahead of the cursor's page (a counted list links it): skips one page after the cursor.
    rows3, _ = _page(client, links["下一页"].replace("page=2", "page=3"))
    assert rows3 == expected[14:21]
    # A typed deep page (no cursor) and a stale cursor from another page still give that page's rows.
    typed, _ = _page(client, "/orders/queues?tab=all&sort=accepted&page=5")
    assert typed == expected[28:35]
    first = db.session.scalars(select(queries.WorkOrder).where(queries.WorkOrder.number == expected[0])).one()
    forged = f"a4~{first.accepted_at.isoformat()}~{first.id}"
    stale, _ = _page(client, f"/orders/queues?tab=all&sort=accepted&page=5&c={forged}")
    assert stale == expected[1:8]  # rows after the cursor's row, in order: never rows outside the list
    garbage, _ = _page(client, "/orders/queues?tab=all&sort=accepted&page=5&c=nonsense")
    assert garbage == expected[28:35]


def test_counted_tab_has_its_last_page_and_uncounted_has_none(orders, client):
    user = _login(client, "zhongxin")
    expected = _expected(user, "overdue", queries.CENTRE_QUEUES, "deadline")
    html = client.get("/orders/queues?tab=overdue").get_data(as_text=True)
    assert f"共 {len(expected)} 条" in html
    last = -(-len(expected) // 7)
    rows, _ = _page(client, f"/orders/queues?tab=overdue&page={last}")
    assert rows == expected[(last - 1) * 7:]
    html = client.get("/orders/queues?tab=all").get_data(as_text=True)
    assert "共 " not in html and "第 1 页" in html
    assert re.search(r'data-testid="tab-all">全部</a>', html)  # no badge: 全部 is not counted
