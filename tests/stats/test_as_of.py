"""Figures as of T against an independent replay of random histories (DOMAIN.md §4, issue 11).

A seeded generator drives orders through the real services (orders/services.py, orders/handling.py), time
frozen at each action, and keeps its own log of what happened: who did what when, and the deadlines the
unit was given. At many times T the portal's unit table, 待派单 count and further rates, both from the
per-unit per-day sums the pages read and from the direct queries that define them, are compared with a
replay of that log up to T written here from the rules (never from the portal's code):

- an order counts when accepted in the period by T and not merged by T;
- its unit is the last dispatch at or before T, unless a return was approved after it and by T (待派单);
- its deadline is the last one set by T (dispatch, approved extension, rejected reply, reopen);
- it is completed at T when a reply submitted by T was accepted (whenever), and no reopen by T followed
  that acceptance; completed_at is the submission;
- 签收, 延期, 重办 and 回访 count within the dispatch in force at T; 退单 are requests by T, for the unit that
  asked; 退单率's denominator adds the orders a unit asked to return that do not count for it at T.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
import time_machine

from portal.auth.roles import Role
from portal.extensions import db
from portal.orders import handling, services
from portal.orders.enums import DEFAULT_SATISFIED, CallbackResult, OrderKind, OrderState
from portal.orders.models import Subject, Tag
from portal.orders.transitions import why_not
from portal.stats import rates as direct_rates, table as direct_table
from portal.stats.queries import KINDS, Period, unit_rates, unit_table
from tests.factories import UserFactory
from tests.orders.factories import TZ, staffed_unit

START = datetime(2025, 3, 1)
PERIOD = (date(2025, 3, 1), date(2025, 3, 31))
ORDERS_PER_WORLD = 50
SEEDS = range(6)
TIMES_PER_WORLD = 40
STATUSES = ("on_time", "late", "overdue_open", "in_progress")
RATE_FIELDS = ("signed", "signed_on_time", "returns", "returned_orders", "dispatched_to", "extensions", "reopened",
               "callbacks", "satisfied")
# How often the generator picks an action among those allowed (the rest weigh 1): orders mostly move on.
WEIGHTS = {"dispatch": 4, "merge": 0.4, "sign": 3, "reply": 3, "accept_reply": 3, "supervise": 0.4,
           "acknowledge": 0.5, "approve_extension": 2, "callback": 2}
compared = defaultdict(int)


@dataclass
class History:
    """What the generator saw happen to one order, in time order: (at, what, details)."""

    accepted_at: datetime
    kind: OrderKind
    log: list[tuple[datetime, str, dict]] = field(default_factory=list)

    def upto(self, t):
        return [(at, what, d) for at, what, d in self.log if at <= t]


def _frozen(at: datetime):
    return time_machine.travel(at.replace(tzinfo=TZ), tick=False)


class World:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.centre = UserFactory(role=Role.CENTRE_STAFF, unit=None)
        self.units = [staffed_unit() for _ in range(4)]
        # Subjects (two second-level ones share a name under different parents) and tags, for the topic figures.
        roads, water = Subject(name="城市管理"), Subject(name="公用事业")
        self.subjects = [roads, water, Subject(name="路灯", parent=roads), Subject(name="噪音扰民", parent=roads),
                         Subject(name="噪音扰民", parent=water), Subject(name="停水", parent=water)]
        self.tags = [Tag(name="生态环境保护"), Tag(name="优化营商环境"), Tag(name="民生实事")]
        db.session.add_all([*self.subjects, *self.tags])
        db.session.commit()
        self.orders: list = []
        self.histories: dict[int, History] = {}
        self.end = START

    def people(self, order):
        for unit, leader, liaison in self.units:
            if unit.id == order.unit_id:
                return leader, liaison
        return None, None

    def candidates(self, order):
        leader, liaison = self.people(order)
        pairs = [("dispatch", self.centre), ("merge", self.centre), ("sign", liaison), ("request_return", liaison),
                 ("request_return", leader), ("leader_approve_return", leader), ("leader_reject_return", leader),
                 ("approve_return", self.centre), ("reject_return", self.centre), ("request_extension", liaison),
                 ("approve_extension", self.centre), ("reject_extension", self.centre), ("reply", liaison),
                 ("accept_reply", self.centre), ("reject_reply", self.centre), ("supervise", self.centre),
                 ("acknowledge", liaison), ("callback", self.centre), ("reopen", self.centre)]
        return [(a, who) for a, who in pairs if who is not None and why_not(order, a, who) is None]

    def act(self, order, history: History, action: str, who, at: datetime) -> None:
        rng, log = self.rng, history.log
        if action == "dispatch":
            unit = rng.choice(self.units)[0]
            services.dispatch(order, who, unit)
            log.append((at, "dispatch", {"unit": unit.id, "deadline": order.handle_deadline,
                                         "sign_deadline": order.sign_deadline}))
        elif action == "merge":
            # Only into an earlier order still open: a closed one is reopened instead (the merge rule).
            earlier = [o for o in self.orders if o.id != order.id
                       and o.state not in (OrderState.MERGED, OrderState.CLOSED)
                       and o.accepted_at <= order.accepted_at]
            if not earlier:
                return
            services.merge(order, who, rng.choice(earlier), "重复来电")
            log.append((at, "merge", {}))
        elif action == "sign":
            handling.sign(order, who)
            log.append((at, "sign", {}))
        elif action == "request_return":
            unit_id = order.unit_id
            handling.request_return(order, who, "不属本单位职责", "三定方案")
            log.append((at, "request_return", {"unit": unit_id}))
        elif action in ("leader_approve_return", "leader_reject_return"):
            handling.leader_decide_return(order, who, action == "leader_approve_return", "")
            log.append((at, action, {}))
        elif action in ("approve_return", "reject_return"):
            handling.centre_decide_return(order, who, action == "approve_return", "")
            log.append((at, action, {}))
        elif action == "request_extension":
            handling.request_extension(order, who, "需现场勘查", rng.randint(1, 4))
            log.append((at, action, {}))
        elif action in ("approve_extension", "reject_extension"):
            handling.decide_extension(order, who, action == "approve_extension", "")
            log.append((at, action, {"deadline": order.handle_deadline}))
        elif action == "reply":
            resolved = rng.random() < 0.7  # 解决率 counts the completing reply's answer
            reply = handling.submit_reply(order, who, result="已办理并电话告知。", contact_way="电话",
                                          contacted_at=at, resolved=resolved,
                                          unresolved_reason="" if resolved else "需协调多部门，群众诉求暂无法满足")
            log.append((at, "reply", {"reply": reply.id}))
        elif action in ("accept_reply", "reject_reply"):
            reply = handling.review_reply(order, who, action == "accept_reply", "")
            log.append((at, action, {"reply": reply.id, "deadline": order.handle_deadline}))
        elif action == "supervise":
            services.supervise(order, who, "请加快办理")
            log.append((at, action, {}))
        elif action == "acknowledge":
            services.acknowledge(order, who)
            log.append((at, action, {}))
        elif action == "callback":
            result = rng.choice(list(CallbackResult))
            reopen = result.may_reopen and rng.random() < 0.5
            services.record_callback(order, who, result, "", reopen_order=reopen)
            log.append((at, "callback", {"result": result}))
            if reopen:
                log.append((at, "reopen", {"deadline": order.handle_deadline}))
        elif action == "reopen":
            services.reopen(order, who, "群众反映未解决")
            log.append((at, "reopen", {"deadline": order.handle_deadline}))
        db.session.commit()

    def run_order(self, i: int) -> None:
        rng = self.rng
        at = START - timedelta(days=5) + timedelta(minutes=rng.randrange(40 * 24 * 60))
        kind = rng.choice(list(OrderKind))
        with _frozen(at):
            order = services.create_order(self.centre, kind=kind, content=f"第{i}号诉求：小区路灯不亮。",
                                          urgent=rng.random() < 0.1,
                                          subject=rng.choice([None, *self.subjects]),
                                          tags=rng.sample(self.tags, rng.randint(0, 2)))
            db.session.commit()
        history = History(order.accepted_at, kind)
        self.orders.append(order)
        self.histories[order.id] = history
        for _ in range(rng.randint(0, 14)):
            at += rng.choice((timedelta(minutes=rng.randint(1, 90)), timedelta(hours=rng.randint(1, 30)),
                              timedelta(days=rng.randint(1, 9))))
            with _frozen(at):
                options = self.candidates(order)
                if not options:
                    break
                action, who = rng.choices(options, [WEIGHTS.get(a, 1) for a, _ in options])[0]
                self.act(order, history, action, who, at)
            self.end = max(self.end, at)


# --- the independent replay --------------------------------------------------------------------------

@dataclass
class Expected:
    unit: int | None = None  # None: 待派单
    kind: OrderKind | None = None
    status: str | None = None
    signed: bool = False
    signed_on_time: bool = False
    extensions: int = 0
    reopened: bool = False
    callbacks: int = 0
    satisfied: int = 0


def replay(h: History, t: datetime) -> Expected | None:
    """The order as it stood at T, or None when it is not counted at T."""
    if h.accepted_at > t or not (PERIOD[0] <= h.accepted_at.date() <= PERIOD[1]):
        return None
    events = h.upto(t)
    if any(what == "merge" for _, what, _ in events):
        return None
    out = Expected(kind=h.kind)
    dispatch_at = None
    for at, what, d in events:
        if what == "dispatch":
            out.unit, dispatch_at = d["unit"], at
        elif what == "approve_return":
            out.unit, dispatch_at = None, None
    if out.unit is None:
        return out
    current = [(at, what, d) for at, what, d in events if at >= dispatch_at]
    dispatch = next(d for at, what, d in current if what == "dispatch" and at == dispatch_at)
    deadline = dispatch["deadline"]
    for at, what, d in current:
        if what in ("approve_extension", "reject_reply", "reopen"):
            deadline = d["deadline"]
        if what == "sign":
            out.signed, out.signed_on_time = True, at <= dispatch["sign_deadline"]
        out.extensions += what == "approve_extension"
        out.reopened |= what in ("reject_reply", "reopen")
        if what == "callback":
            out.callbacks += 1
            out.satisfied += d["result"] in DEFAULT_SATISFIED
    # Completion: the latest reply submitted by T that was accepted (at any time), not reopened by T since.
    submitted = {d["reply"]: at for at, what, d in h.log if what == "reply"}
    accepted = {d["reply"]: at for at, what, d in h.log if what == "accept_reply"}
    completed_at = None
    for reply, sub in submitted.items():
        if sub <= t and reply in accepted:
            reopened = any(what == "reopen" and accepted[reply] <= at <= t for at, what, _ in h.log)
            if not reopened and (completed_at is None or sub > completed_at):
                completed_at = sub
    if completed_at is not None:
        out.status = "on_time" if completed_at <= deadline else "late"
    else:
        out.status = "overdue_open" if deadline < t else "in_progress"
    return out


def expected_figures(histories, t):
    table, rates, pending = {}, defaultdict(lambda: dict.fromkeys(RATE_FIELDS, 0)), 0
    asked: dict[int, set] = defaultdict(set)
    counted_for: dict[int, int | None] = {}
    for order_id, h in histories.items():
        e = replay(h, t)
        if e is None:
            continue
        counted_for[order_id] = e.unit
        for at, what, d in h.upto(t):
            if what == "request_return":
                rates[d["unit"]]["returns"] += 1
                asked[d["unit"]].add(order_id)
        if e.unit is None:
            pending += 1
            continue
        row = table.setdefault(e.unit, {"total": 0, **{k: 0 for k in KINDS}, **dict.fromkeys(STATUSES, 0)})
        row["total"] += 1
        row[e.kind] += 1
        row[e.status] += 1
        r = rates[e.unit]
        r["signed"] += e.signed
        r["signed_on_time"] += e.signed_on_time
        r["extensions"] += e.extensions
        r["reopened"] += e.reopened
        r["callbacks"] += e.callbacks
        r["satisfied"] += e.satisfied
    for unit in set(table) | set(asked):
        rates[unit]["returned_orders"] = len(asked[unit])
        total = table[unit]["total"] if unit in table else 0
        rates[unit]["dispatched_to"] = total + sum(1 for o in asked[unit] if counted_for[o] != unit)
    return table, {u: r for u, r in rates.items() if any(r.values())}, pending


def portal_figures(t, table_of=unit_table, rates_of=unit_rates):
    """The portal's figures as of T: from the per-unit per-day sums (what the pages read) or, given
    direct.unit_table and direct.unit_rates, from the direct queries that define them."""
    period = Period(PERIOD[0], PERIOD[1], t)
    result = table_of(period)
    table = {r.unit_id: {"total": r.total, **{k: r.by_kind[k] for k in KINDS}, **{s: getattr(r, s) for s in STATUSES}}
             for r in result.rows}
    rates = {u: {f: getattr(r, f) for f in RATE_FIELDS} for u, r in rates_of(period).items()}
    return table, {u: r for u, r in rates.items() if any(r.values())}, result.undispatched


def direct_figures(t):
    return portal_figures(t, direct_table.unit_table, direct_rates.unit_rates)


def times_to_check(world: World) -> list[datetime]:
    rng = world.rng
    moments = [at for h in world.histories.values() for at, _, _ in h.log]
    picks = rng.sample(moments, min(TIMES_PER_WORLD // 2, len(moments)))
    ts = {m + timedelta(seconds=s) for m in picks for s in (-1, 0)}
    span = int((world.end - START).total_seconds()) + 20 * 86400
    ts |= {START + timedelta(seconds=rng.randrange(span)) for _ in range(TIMES_PER_WORLD // 2)}
    return sorted(ts)


@pytest.mark.parametrize("seed", SEEDS)
def test_figures_as_of_t_equal_a_replay_of_the_history_up_to_t(seed):
    world = World(random.Random(seed))
    for i in range(ORDERS_PER_WORLD):
        world.run_order(i)
    db.session.expire_all()
    for t in times_to_check(world):
        want_table, want_rates, want_pending = expected_figures(world.histories, t)
        got_table, got_rates, got_pending = portal_figures(t)
        assert got_pending == want_pending, t
        assert got_table == want_table, t
        assert got_rates == want_rates, t
        assert direct_figures(t) == (want_table, want_rates, want_pending), t
        compared["times"] += 1
        compared["cells"] += 1 + sum(len(r) for r in want_table.values()) + sum(len(r) for r in want_rates.values())
    compared["histories"] += len(world.histories)
    compared["events"] += sum(len(h.log) for h in world.histories.values())
    for h in world.histories.values():
        for _, what, _ in h.log:
            compared[what] += 1
    print(f"\nseed {seed}: {dict(compared)}")
