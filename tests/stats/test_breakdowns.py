"""Kind shares, calls, tags, hot topics, overdue units."""
from __future__ import annotations

from datetime import date, datetime

from portal.calls.models import CallOutcome
from portal.orders.enums import OrderKind, OrderState
from portal.stats.queries import (
    KINDS, CallTotals, Period, call_totals, hot_topics, kind_shares, overdue_units, tag_counts,
)
from tests.factories import UnitFactory
from tests.stats.factories import CallFactory, OrderFactory, SubjectFactory, TagFactory, closed

AUGUST = Period(date(2018, 8, 1), date(2018, 8, 31), datetime(2018, 9, 29, 12, 0))


def test_kind_shares_follow_the_seed_order_with_one_decimal():
    for kind, n in ((OrderKind.CONSULT, 1), (OrderKind.HELP, 5), (OrderKind.PRAISE, 2)):
        for _ in range(n):
            OrderFactory(kind=kind)
    OrderFactory(kind=OrderKind.HELP, state=OrderState.MERGED)
    OrderFactory(kind=OrderKind.HELP, last_unit=None, unit=None, state=OrderState.PENDING)
    shares = kind_shares(AUGUST)
    assert [s.kind for s in shares] == list(KINDS)
    assert [(s.count, s.share_text) for s in shares] == [
        (1, "12.5%"), (5, "62.5%"), (0, "0.0%"), (0, "0.0%"), (0, "0.0%"), (2, "25.0%")]


def test_kind_shares_of_an_empty_period_are_dashes():
    assert {s.share_text for s in kind_shares(AUGUST)} == {"—"}


def test_call_totals_count_calls_received_in_the_period():
    CallFactory(received_at=datetime(2018, 8, 1, 0, 0))
    CallFactory(received_at=datetime(2018, 8, 31, 23, 59, 59), outcome=CallOutcome.ORDER)
    CallFactory(outcome=None)
    CallFactory(received_at=datetime(2018, 9, 1, 0, 0))
    assert call_totals(AUGUST) == CallTotals(calls=3, direct=1, to_order=1)


def test_tag_counts_and_hot_topics():
    business, ecology, unused = TagFactory(name="优化营商环境"), TagFactory(name="生态环境保护"), TagFactory()
    city = SubjectFactory(name="城乡建设")
    env = SubjectFactory(name="生态环境")
    noise = SubjectFactory(name="噪音扰民", parent=env)
    look = SubjectFactory(name="市容环境", parent=city)
    water = SubjectFactory(name="居民用水用电", parent=city)
    for _ in range(3):
        OrderFactory(subject=noise, tags=[ecology])
    OrderFactory(subject=look, tags=[business, ecology])
    OrderFactory(subject=water)
    OrderFactory(subject=city)  # a first-level subject is not a hot topic
    OrderFactory(subject=noise, state=OrderState.MERGED, tags=[business])
    assert tag_counts(AUGUST) == {"生态环境保护": 4, "优化营商环境": 1}
    assert list(tag_counts(AUGUST)) == ["生态环境保护", "优化营商环境"]
    assert hot_topics(AUGUST) == [("噪音扰民", 3), ("居民用水用电", 1), ("市容环境", 1)]
    assert hot_topics(AUGUST, limit=1) == [("噪音扰民", 3)]
    assert unused.name not in tag_counts(AUGUST)


def test_overdue_units_lists_units_with_overdue_open_orders_most_first():
    a, b, c = UnitFactory(display_order=1), UnitFactory(display_order=2), UnitFactory(display_order=3)
    OrderFactory(last_unit=a, unit=a)
    for _ in range(2):
        OrderFactory(last_unit=b, unit=b)
    closed(datetime(2018, 8, 12), last_unit=c, unit=c)
    rows = overdue_units(AUGUST)
    assert [(r.short_name, r.overdue_open) for r in rows] == [(b.short_name, 2), (a.short_name, 1)]
    before = Period(AUGUST.start, AUGUST.end, datetime(2018, 8, 20, 23, 59, 59))
    assert overdue_units(before) == []


def test_kind_shares_from_the_unit_table_equal_the_query():
    from portal.stats.queries import unit_table

    for kind in (OrderKind.CONSULT, OrderKind.HELP, OrderKind.HELP, OrderKind.COMPLAINT):
        OrderFactory(kind=kind)
    OrderFactory(kind=OrderKind.CONSULT, last_unit=None, unit=None, state=OrderState.PENDING)
    assert kind_shares(AUGUST, unit_table(AUGUST)) == kind_shares(AUGUST)
    assert [s.count for s in kind_shares(AUGUST)] == [1, 2, 1, 0, 0, 0]
