"""Demo step 工单: the August 2018 orders reproduce the seed's attachment table cell for cell (DOMAIN.md §4,
counted with plain SQL here), tags, hot topics, the two praise cases, consistent timelines, and work for today."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
import time_machine
from sqlalchemy import select, text

from portal.orders.deadlines import handle_deadline, time_left
from portal.clock import now
from portal.demo.loader import STEPS
from portal.extensions import db
from portal.orders.enums import OrderState
from portal.orders.models import WorkOrder

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "ankang-2018-08-circular.txt"
TODAY = datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def seed_table() -> dict[str, tuple[int, ...]]:
    """The attachment table of the seed circular: unit → (total, 6 kinds, on time, late, overdue open)."""
    tokens = [t.strip() for t in SEED.read_text(encoding="utf-8").split("附件：")[1].splitlines() if t.strip()]
    start = next(i for i in range(len(tokens) - 1) if tokens[i] == "1" and tokens[i + 1] == "汉滨区政府")
    rows = {}
    for i in range(start, tokens.index("合计"), 13):
        seq, name, *numbers, rate = tokens[i:i + 13]
        assert seq.isdigit() and re.fullmatch(r"\d+%", rate), tokens[i:i + 13]
        rows[name] = tuple(int(n) for n in numbers)
    return rows


UNIT_TABLE_SQL = text("""
SELECT u.short_name, COUNT(*),
  SUM(CASE WHEN o.kind = 'consult' THEN 1 ELSE 0 END), SUM(CASE WHEN o.kind = 'help' THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.kind = 'complaint' THEN 1 ELSE 0 END), SUM(CASE WHEN o.kind = 'suggestion' THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.kind = 'report' THEN 1 ELSE 0 END), SUM(CASE WHEN o.kind = 'praise' THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.completed_at <= :t AND o.completed_at <= o.handle_deadline THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.completed_at <= :t AND o.completed_at > o.handle_deadline THEN 1 ELSE 0 END),
  SUM(CASE WHEN (o.completed_at IS NULL OR o.completed_at > :t) AND o.handle_deadline < :t THEN 1 ELSE 0 END),
  SUM(CASE WHEN (o.completed_at IS NULL OR o.completed_at > :t) AND o.handle_deadline >= :t THEN 1 ELSE 0 END)
FROM work_order o JOIN unit u ON u.id = o.last_unit_id
WHERE o.accepted_at >= :start AND o.accepted_at < :end
GROUP BY u.short_name, u.display_order
ORDER BY COUNT(*) DESC, u.display_order
""")


@pytest.fixture
def demo(monkeypatch):
    # Demo accounts are hashed at production cost (0.3 s each); cheap hashing keeps this test fast.
    monkeypatch.setattr("portal.auth.models._hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    with time_machine.travel(TODAY, tick=False):
        for label, step in STEPS:
            step()
            if label == "工单":
                break
        db.session.commit()


def test_august_orders_reproduce_the_seed_table_for_any_time_on_2018_09_29(demo):
    expected = seed_table()
    assert len(expected) == 48 and sum(r[0] for r in expected.values()) == 961
    for as_of in (datetime(2018, 9, 29), datetime(2018, 9, 29, 9), datetime(2018, 9, 29, 23, 59, 59)):
        rows = db.session.execute(UNIT_TABLE_SQL, {"t": as_of, "start": datetime(2018, 8, 1),
                                                   "end": datetime(2018, 9, 1)}).all()
        got = {name: tuple(int(n) for n in numbers) for name, *numbers in rows}
        assert {name: numbers[:10] for name, numbers in got.items()} == expected
        assert all(numbers[10] == 0 for numbers in got.values())  # 在办
        # The table's order: total descending, then display order.
        assert [r[0] for r in rows][:4] == ["汉滨区政府", "旬阳县政府", "汉阴县政府", "恒口示范区"]
    pending = db.session.scalar(text("SELECT COUNT(*) FROM work_order WHERE last_unit_id IS NULL "
                                     "AND accepted_at >= '2018-08-01' AND accepted_at < '2018-09-01'"))
    assert pending == 0


def test_tags_hot_topics_and_the_praise_cases(demo):
    august = {"start": datetime(2018, 8, 1), "end": datetime(2018, 9, 1)}
    tags = dict(db.session.execute(text(
        "SELECT t.name, COUNT(*) FROM order_tag ot JOIN tag t ON t.id = ot.tag_id JOIN work_order o ON o.id = ot.order_id "
        "WHERE o.accepted_at >= :start AND o.accepted_at < :end GROUP BY t.name"), august).all())
    assert tags == {"优化营商环境": 1, "生态环境保护": 29}
    topics = db.session.execute(text(
        "SELECT s.name, COUNT(*) FROM work_order o JOIN subject s ON s.id = o.subject_id "
        "WHERE s.parent_id IS NOT NULL AND o.accepted_at >= :start AND o.accepted_at < :end "
        "GROUP BY s.name ORDER BY COUNT(*) DESC"), august).all()
    assert [name for name, _n in topics[:4]] == ["噪音扰民", "市容环境", "贫困户认定", "居民用水用电"]
    assert topics[3][1] > topics[4][1]
    orders = {o.number: o for o in db.session.scalars(select(WorkOrder))}
    praise = sorted((o for o in orders.values() if o.kind.value == "praise"), key=lambda o: o.number)
    assert [(o.unit.short_name, o.accepted_at.date().isoformat()) for o in praise] == [
        ("岚皋县政府", "2018-08-02"), ("平利县政府", "2018-08-08")]
    assert "（工单编号2018041803）" in praise[0].content and "（工单编号2018072106）" in praise[1].content
    earlier = orders["2018041803"], orders["2018072106"]
    assert [(o.last_unit.short_name, o.accepted_at.strftime("%Y-%m"), o.state) for o in earlier] == [
        ("岚皋县政府", "2018-04", OrderState.CLOSED), ("平利县政府", "2018-07", OrderState.CLOSED)]
    assert "黄姜地" in earlier[0].content and "灰尘大" in earlier[1].content
    assert any("洒水车" in e.text for e in earlier[1].events if e.action == "reply")


def _check_timeline(order: WorkOrder) -> None:
    events = order.events
    assert events[0].action == "create" and events[0].at == order.accepted_at, order.number
    assert all(a.at <= b.at for a, b in zip(events, events[1:])), order.number
    changes = [e for e in events if e.to_state is not None and e.to_state != e.from_state]
    assert all(a.to_state == b.from_state for a, b in zip(changes, changes[1:])), order.number
    assert changes[-1].to_state == order.state, order.number
    if order.dispatched_at:
        dispatch = [e for e in events if e.action == "dispatch"][-1]
        assert dispatch.at == order.dispatched_at and dispatch.data["unit_id"] == order.last_unit_id


def test_every_order_has_a_consistent_timeline_and_numbers(demo):
    orders = list(db.session.scalars(select(WorkOrder)))
    for order in orders:
        _check_timeline(order)
        assert re.fullmatch(r"\d{10}", order.number) and order.number[:8] == f"{order.accepted_at:%Y%m%d}"
    august = [o for o in orders if o.accepted_at.year == 2018]
    for order in august:
        assert order.handle_deadline == handle_deadline(order.dispatched_at, order.kind, order.urgent)
        assert order.accepted_at < order.dispatched_at < order.signed_at < order.completed_at <= order.closed_at
        assert order.state == OrderState.CLOSED and order.title and order.content and order.subject_id


def test_current_orders_give_the_demo_units_work_in_every_state(demo):
    with time_machine.travel(TODAY, tick=False):
        current = [o for o in db.session.scalars(select(WorkOrder)) if o.accepted_at.year == 2026]
        at = now()
    assert 30 <= len(current) <= 60
    assert {o.state for o in current} == set(OrderState) - {OrderState.MERGED}
    for unit in ("汉滨区政府", "恒口示范区", "市人社局"):
        mine = [o for o in current if o.unit and o.unit.short_name == unit]
        states = {o.state for o in mine}
        assert {OrderState.DISPATCHED, OrderState.IN_PROGRESS, OrderState.RETURN_REQUESTED,
                OrderState.EXTENSION_REQUESTED, OrderState.REPLIED, OrderState.CLOSED} <= states, unit
        running = [time_left(o.handle_deadline, at) for o in mine if o.state == OrderState.IN_PROGRESS]
        assert any(t.overdue for t in running) and any(t.due_soon for t in running), unit
        assert any(not t.overdue and not t.due_soon for t in running), unit
    assert all(o.accepted_at <= at and all(e.at <= at for e in o.events) for o in current)


def test_current_orders_with_a_lead_and_co_units_in_several_task_states(demo):
    from portal.orders.enums import TaskState
    from portal.orders.models import OrderTask

    parts = list(db.session.scalars(select(OrderTask)))
    assert {p.state for p in parts} >= {TaskState.DISPATCHED, TaskState.IN_PROGRESS, TaskState.ANSWERED,
                                        TaskState.RELEASE_REQUESTED, TaskState.RELEASED}
    noise = [p.order for p in parts if p.order.unit and p.order.unit.short_name == "市环保局"
             and p.unit.short_name == "市城管局" and p.state == TaskState.ANSWERED]
    assert noise and {p.unit.short_name for p in noise[0].tasks} == {"市城管局", "市公安局"}
    for part in parts:
        assert part.deadline <= part.order.handle_deadline and part.assigner_unit_id is None
        assert part.order.accepted_at.year == 2026  # the August 2018 orders have no parts
    replied = [p.order for p in parts if p.order.state == OrderState.REPLIED]
    assert replied and all(p.state in (TaskState.ANSWERED, TaskState.RELEASED) for p in replied[0].tasks)
