"""Demo step 来电: 6,196 calls in August 2018 — 5,235 answered directly from published entries, 961 that
became orders (one per August 2018 order at its accepted_at, when the orders step created them).
Deterministic (seeded Random) and fast (bulk inserts with RETURNING)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.calls.models import Call, CallOutcome, call_kb_entry
from portal.clock import now
from portal.demo.knowledge_data import CALLER_OPENINGS
from portal.extensions import db
from portal.stats.aggregates import calls_inserted
from portal.knowledge.models import KBSearchDoc
from portal.orders.models import WorkOrder

TOTAL_CALLS = 6196
DIRECT_CALLS = 5235
ORDER_CALLS = TOTAL_CALLS - DIRECT_CALLS  # 961
MONTH_START, MONTH_END = datetime(2018, 8, 1), datetime(2018, 9, 1)
PREFIXES = ("139", "138", "137", "136", "135", "134", "150", "151", "152", "157", "158", "159", "182", "183",
            "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "181", "189", "177")


def _mobile(rng: random.Random) -> str:
    return rng.choice(PREFIXES) + f"{rng.randint(0, 99999999):08d}"


def _moment(rng: random.Random) -> datetime:
    day = MONTH_START + timedelta(days=rng.randrange(31))
    # Busier mornings and afternoons, quiet at night (the hotline answers 24 hours).
    hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 13, 9, 10, 14, 15, 14, 12, 9, 7, 6, 4, 2, 1])[0]
    return day + timedelta(hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))


def load_calls() -> str:
    rng = random.Random(20180831)
    operators = list(db.session.scalars(select(User.id).where(User.role == Role.OPERATOR).order_by(User.id))) or [None]
    docs = list(db.session.execute(select(KBSearchDoc.entry_id, KBSearchDoc.title).order_by(KBSearchDoc.entry_id)))
    orders = list(db.session.execute(
        select(WorkOrder.id, WorkOrder.accepted_at, WorkOrder.caller_mobile, WorkOrder.title)
        .where(WorkOrder.accepted_at >= MONTH_START, WorkOrder.accepted_at < MONTH_END)
        .order_by(WorkOrder.accepted_at, WorkOrder.id).limit(ORDER_CALLS)))
    rows, links = [], []
    # Hot questions are asked more often: a few entries answer many calls.
    weights = [rng.paretovariate(1.3) for _ in docs]
    for _ in range(DIRECT_CALLS if docs else 0):
        picked = rng.choices(docs, weights=weights, k=2 if rng.random() < 0.08 else 1)
        picked = list(dict.fromkeys(picked))
        rows.append({"received_at": _moment(rng), "mobile": _mobile(rng), "outcome": CallOutcome.DIRECT,
                     "summary": rng.choice(CALLER_OPENINGS) + picked[0].title, "order_id": None,
                     "operator_id": rng.choice(operators), "created_at": MONTH_END})
        links.append([d.entry_id for d in picked])
    for order in orders:
        rows.append({"received_at": order.accepted_at, "mobile": order.caller_mobile or _mobile(rng),
                     "outcome": CallOutcome.ORDER, "summary": order.title, "order_id": order.id,
                     "operator_id": rng.choice(operators), "created_at": MONTH_END})
    for _ in range(ORDER_CALLS - len(orders)):  # orders not loaded (yet): the calls still count
        rows.append({"received_at": _moment(rng), "mobile": _mobile(rng), "outcome": CallOutcome.ORDER,
                     "summary": "来电诉求已形成工单", "order_id": None, "operator_id": rng.choice(operators),
                     "created_at": MONTH_END})
    linked = dict(enumerate(links))  # row index -> entries: the direct replies come first
    today = _todays_calls(operators[0], docs)
    for row, entry_ids in today:
        if entry_ids:
            linked[len(rows)] = entry_ids
        rows.append(row)
    ids = list(db.session.scalars(insert(Call).returning(Call.id, sort_by_parameter_order=True), rows))
    calls_inserted(rows)
    pairs = [{"call_id": ids[i], "entry_id": e} for i, entry_ids in linked.items() for e in entry_ids]
    if pairs:
        db.session.execute(insert(call_kb_entry), pairs)
    db.session.flush()
    direct = sum(1 for r in rows if r["outcome"] == CallOutcome.DIRECT and r["received_at"] < MONTH_END)
    return (f"{len(rows) - len(today)} 通来电（直接答复 {direct}，形成工单 {len(rows) - len(today) - direct}，"
            f"关联工单 {len(orders)}），另有今日来电 {len(today)} 通")


def _todays_calls(operator_id, docs) -> list[tuple[dict, list[int] | None]]:
    """The operator's day so far (relative to the load time): a direct reply from the KB and a call whose order
    form was left unsaved (待建工单), so the operator's home page has something to show."""
    at = now().replace(microsecond=0)
    fund = [d.entry_id for d in docs if "公积金" in d.title][:1] or [d.entry_id for d in docs[:1]]
    made = []
    if fund:
        made.append(({"received_at": at - timedelta(hours=2), "mobile": "13891520317", "outcome": CallOutcome.DIRECT,
                      "summary": "市民咨询住房公积金提取需要哪些材料", "order_id": None, "operator_id": operator_id,
                      "created_at": at - timedelta(hours=2)}, fund))
    made.append(({"received_at": at - timedelta(minutes=40), "mobile": "13991520408", "outcome": None,
                  "summary": "市民反映兴安路中段路灯不亮已一周，夜间出行不便", "order_id": None,
                  "operator_id": operator_id, "created_at": at - timedelta(minutes=40)}, None))
    return made
