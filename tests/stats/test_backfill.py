"""The migration that created order_fact derives the same history from the events of existing orders."""
from __future__ import annotations

import importlib.util
import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete

from portal.extensions import db
from portal.orders.history import OrderFact
from portal.stats.aggregates import rebuild
from tests.stats.test_as_of import World, portal_figures, times_to_check

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "b4c2e8f1a9d3_order_facts_as_of_t.py"


def _backfill():
    spec = importlib.util.spec_from_file_location("order_facts_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    db.session.execute(delete(OrderFact))
    module.backfill(db.session.connection())
    rebuild(db.session.connection())  # the sums the pages read follow the history (migration e6a41c9b3d72)
    db.session.commit()
    db.session.expire_all()


def test_backfilled_history_gives_the_figures_the_live_history_gave():
    world = World(random.Random(99))
    for i in range(40):
        world.run_order(i)
    db.session.expire_all()
    moments = times_to_check(world)
    final = [world.end + timedelta(days=d) for d in (1, 30)]
    live = {t: portal_figures(t) for t in moments + final}
    _backfill()
    for t in final:  # every deadline in force after the last event is known: the same figures
        assert portal_figures(t) == live[t], t
    for t in moments:  # earlier, a deadline no event recorded may be missing; units and 待派单 never are
        table, rates, pending = portal_figures(t)
        want_table, want_rates, want_pending = live[t]
        assert pending == want_pending, t
        assert {u: r["total"] for u, r in table.items()} == {u: r["total"] for u, r in want_table.items()}, t
        for u, r in want_rates.items():
            assert (rates[u]["returns"], rates[u]["dispatched_to"], rates[u]["extensions"]) == (
                r["returns"], r["dispatched_to"], r["extensions"]), t
