"""The per-unit per-day sums (portal/stats/aggregates.py) give exactly the figures of the direct queries that
define them (portal/stats/table.py, rates.py, trends.py), for random histories at random T, and what the
flush hook keeps up to date equals the sums rebuilt from scratch (issue 14).

The histories are those of the figures-as-of-T test (real services, time frozen at each action); T is drawn
around the events, exactly at deadlines and just after them (逾期 only after the deadline), at midnights and
at random. test_as_of.py compares the same sums with an independent replay of the rules.
"""
from __future__ import annotations

import random
from contextlib import nullcontext
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import delete, select

from portal.appeals import services as appeal_services
from portal.calls.models import Call, CallOutcome
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.history import OrderFact
from portal.stats import (
    rates as direct_rates, summed, table as direct_table, topics as direct_topics, trends as direct_trends,
)
from portal.stats.aggregates import FAMILIES, call_day, rebuild
from portal.stats.period import Period
from tests.orders.factories import TZ
from tests.stats.test_as_of import START, World, _frozen, times_to_check

SEEDS = range(3)
ORDERS = 40
# A whole month, two whole months with days on both sides (stat_month and stat_day), a few days, one day.
PERIODS = ((date(2025, 3, 1), date(2025, 3, 31)), (date(2025, 2, 20), date(2025, 5, 3)),
           (date(2025, 2, 20), date(2025, 3, 10)), (date(2025, 3, 7), date(2025, 3, 7)))


def _calls(world: World) -> None:
    """Calls received around the orders' days, some later turned into another outcome (the hook recounts)."""
    rng = world.rng
    calls = []
    for _ in range(60):
        at = START - timedelta(days=5) + timedelta(seconds=rng.randrange(45 * 86400), microseconds=rng.randrange(10**6))
        with time_machine.travel(at.replace(tzinfo=TZ), tick=False):
            call = Call(received_at=at, summary="咨询", outcome=rng.choice([CallOutcome.DIRECT, CallOutcome.ORDER, None]))
            db.session.add(call)
            db.session.commit()
        calls.append(call)
    for call in rng.sample(calls, 10):
        call.outcome = CallOutcome.DIRECT
    db.session.delete(calls[0])
    db.session.commit()


def _appeals(world: World) -> None:
    """申诉 on late completions and ratings, filed by the unit's leader within the window and decided by the
    centre at a random later time: upheld ones change 按时/逾期办结 and the callbacks from their decision on."""
    rng = world.rng
    for order in world.orders:
        leader, _liaison = world.people(order)
        if leader is None:
            continue
        for judgment in appeal_services.judgments(order):
            if rng.random() < 0.3:
                continue
            filed = judgment.judged_at + timedelta(minutes=rng.randint(1, 600))
            if filed > judgment.window_end:
                continue
            with _frozen(filed):
                try:
                    appeal = appeal_services.file_appeal(order, leader, judgment.target, "群众诉求已依法依规办理")
                except RuleViolation:
                    continue
                db.session.commit()
            decided = filed + rng.choice((timedelta(minutes=rng.randint(1, 90)), timedelta(days=rng.randint(1, 6))))
            with _frozen(decided):
                appeal_services.decide(appeal, rng.choice(("uphold", "uphold", "reject")), world.centre, "经核实")
                db.session.commit()
            world.end = max(world.end, decided)
            world.appeals += 1


def _world(seed: int) -> World:
    world = World(random.Random(seed))
    world.appeals = 0
    for i in range(ORDERS):
        world.run_order(i)
    _appeals(world)
    _calls(world)
    db.session.expire_all()
    return world


def _times(world: World) -> list[datetime]:
    rng = world.rng
    deadlines = list(db.session.scalars(select(OrderFact.handle_deadline).where(OrderFact.handle_deadline.is_not(None))))
    ts = set(rng.sample(times_to_check(world), 16))
    ts |= {d + delta for d in rng.sample(deadlines, min(5, len(deadlines)))
           for delta in (timedelta(0), timedelta(microseconds=1), timedelta(microseconds=-1))}
    ts |= {datetime.combine(START.date() + timedelta(days=rng.randrange(50)), time.min) for _ in range(4)}
    return sorted(ts)


def _same_figures(period: Period) -> None:
    assert summed.unit_table(period) == direct_table.unit_table(period), period
    rates = direct_rates.unit_rates(period)
    assert summed.unit_rates(period) == rates, period
    figures = summed.Figures(period)
    assert figures.city_rates() == direct_rates.city_rates(period, rates), period
    for unit_id in {*rates, *(r.unit_id for r in direct_table.unit_table(period).rows)}:
        assert figures.unit_rates(unit_id) == rates.get(unit_id, direct_rates.UnitRates(unit_id)), (period, unit_id)
    assert summed.overdue_units(period) == direct_table.overdue_units(period), period
    assert summed.call_totals(period) == direct_trends.call_totals(period), period
    assert summed.daily_trend(period) == direct_trends.daily_trend(period), period
    assert summed.monthly_trend(period) == direct_trends.monthly_trend(period), period
    assert list(summed.tag_counts(period).items()) == list(direct_topics.tag_counts(period).items()), period
    assert summed.hot_topics(period, limit=10) == direct_topics.hot_topics(period, limit=10), period


@pytest.mark.parametrize("seed", SEEDS)
def test_the_sums_give_the_figures_of_the_direct_queries_at_any_t(seed):
    world = _world(seed)
    assert world.appeals > 0
    checked = 0
    for i, t in enumerate(_times(world)):
        # Half the times as the dashboards see them (T = now: the changes still ahead are read by time), half
        # as a circular or the CLI long after T (read by day).
        with time_machine.travel(t.replace(tzinfo=TZ), tick=False) if i % 2 else nullcontext():
            for start, end in PERIODS:
                _same_figures(Period(start, end, t))
                checked += 1
    assert checked >= len(PERIODS) * 25


SUM_TABLES = (*(t for f in FAMILIES for t in (f.day, f.month, f.change)), call_day)


def _tables() -> dict:
    out = {}
    for table in SUM_TABLES:
        rows = db.session.execute(select(table)).all()
        keys = {"day", "month", "unit_id", "topic", "ref_id", "at", "is_strict"}
        out[table.name] = sorted(tuple(r) for r in rows if any(v for k, v in r._mapping.items() if k not in keys))
    return out


@pytest.mark.parametrize("seed", (7, 8))
def test_the_sums_kept_by_every_write_equal_the_sums_rebuilt_from_scratch(seed):
    world = _world(seed)
    # An order's subject and tags are set when it is created; should they change later, its topic sums follow.
    for order in world.rng.sample(world.orders, 8):
        order.subject = world.rng.choice(world.subjects)
        order.tags = world.rng.sample(world.tags, world.rng.randint(0, 3))
    db.session.commit()
    kept = _tables()
    assert all(kept[t.name] for t in SUM_TABLES), {name: len(rows) for name, rows in kept.items()}
    for table in SUM_TABLES:
        db.session.execute(delete(table))
    rebuild(db.session.connection())
    db.session.commit()
    assert _tables() == kept


def test_a_rebuild_in_chunks_of_days_equals_the_sums_kept_whatever_day_each_order_is_accepted_now():
    """rebuild reads the orders in chunks of whole days of acceptance (the order's own `accepted_at`) and
    writes each chunk's days once; the groups follow the facts' acceptance time. An order whose own time moved
    since its facts were written has groups outside its chunk: they are added to the rows other chunks wrote."""
    world = _world(9)
    moved = world.rng.sample(world.orders, 12)
    for order in moved:  # the sums follow the facts, not the order row: the hook has nothing to change
        order.accepted_at += timedelta(days=world.rng.choice((-9, -1, 1, 3, 12)))
    db.session.commit()
    kept = _tables()
    for chunk in (1, 3, 7):
        for table in SUM_TABLES:
            db.session.execute(delete(table))
        rebuild(db.session.connection(), chunk=chunk)
        db.session.commit()
        assert _tables() == kept, chunk
