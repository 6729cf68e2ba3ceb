"""20 simultaneous requests per scenario through the HTTP layer (threads, each with its own client and its own
database session): exactly one winner where only one can win, clear Chinese refusals, 0 errors, no duplicate.

Run on PostgreSQL with TEST_DATABASE_URL (make test does); on SQLite the writers queue (BEGIN IMMEDIATE).
"""
from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime

from flask import Flask
from sqlalchemy import func, select

from portal.auth.roles import Role
from portal.calls.models import Call, CallOutcome
from portal.circulars import services as circulars
from portal.circulars.models import CircularRead
from portal.extensions import db
from portal.knowledge.models import CampaignReminder, KBEntry
from portal.notifications.models import Notification
from portal.orders.enums import OrderState
from portal.orders.models import WorkOrder
from tests.factories import UserFactory
from tests.knowledge.factories import campaign
from tests.orders.factories import NOW, frozen, order_in, staffed_unit

N = 20
RESULTS: list[str] = []


def _run(app: Flask, user, method: str, url: str, data: dict | None = None) -> list[tuple[int, str]]:
    """N threads send the same request at the same moment; (status, body) of each."""
    barrier = threading.Barrier(N)
    answers: list[tuple[int, str]] = [(0, "thread failed")] * N
    session_id = user.get_id()
    db.session.rollback()  # the test's own transaction must not hold SQLite's write lock meanwhile

    def one(i):
        with app.app_context():  # this thread's own session
            client = app.test_client()
            with client.session_transaction() as sess:
                sess["_user_id"] = session_id
            barrier.wait()
            resp = client.open(url, method=method, data=data, headers={"HX-Request": "true"})
            answers[i] = (resp.status_code, resp.get_data(as_text=True))
            db.session.remove()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.rollback()
    db.session.expire_all()
    return answers


def _tally(name: str, answers) -> Counter:
    counts = Counter(status for status, _ in answers)
    RESULTS.append(f"{name}: {dict(sorted(counts.items()))}")
    print(f"\nrace {name}: {dict(sorted(counts.items()))}")
    assert all(0 < status < 500 for status in counts), [a for a in answers if not 0 < a[0] < 500][:3]
    return counts


def _one_winner(name, answers, message: str, ok=(200, 303)) -> None:
    counts = _tally(name, answers)
    assert sum(counts[s] for s in ok) == 1, counts
    losers = [body for status, body in answers if status not in ok]
    assert len(losers) == N - 1 and all(message in body for body in losers), {b[:200] for b in losers}


def test_simultaneous_order_creations_get_distinct_numbers(app):
    user = UserFactory(role=Role.OPERATOR, unit=None)
    answers = _run(app, user, "POST", "/orders/new", {"kind": "consult", "content": "路灯不亮已经一周了，请尽快维修"})
    counts = _tally("order creation", answers)
    assert counts[303] + counts[200] == N
    numbers = db.session.scalars(select(WorkOrder.number)).all()
    assert len(numbers) == N and len(set(numbers)) == N


def test_one_call_becomes_one_order(app):
    user = UserFactory(role=Role.OPERATOR, unit=None)
    call = Call(received_at=datetime(2026, 11, 24, 9), mobile="13912345678", summary="路灯不亮",
                operator_id=user.id, outcome=None)
    db.session.add(call)
    db.session.commit()
    call_id = call.id
    answers = _run(app, user, "POST", "/orders/new",
                   {"kind": "consult", "content": "路灯不亮已经一周了，请尽快维修", "call_id": str(call_id)})
    _one_winner("call to order", answers, "该来电已形成工单", ok=(200, 303))
    assert db.session.scalar(select(func.count(WorkOrder.id))) == 1
    assert db.session.get(Call, call_id).outcome == CallOutcome.ORDER


def test_the_same_kb_title_saved_at_once_is_one_entry(app):
    unit, _leader, liaison = staffed_unit()
    unit_id = unit.id
    answers = _run(app, liaison, "POST", "/knowledge/new",
                   {"title": "停车场收费标准", "answer": "按物价部门核定标准收费", "material_kind": "政策文件"})
    _one_winner("KB title", answers, "本单位已有", ok=(200, 303))
    assert db.session.scalar(select(func.count(KBEntry.id)).where(KBEntry.unit_id == unit_id)) == 1


def test_a_read_receipt_opened_in_many_tabs_is_one_receipt(app):
    unit, _leader, liaison = staffed_unit()
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    with frozen():
        circular = circulars.draft(date(2026, 11, 1), date(2026, 11, 23), datetime(2026, 11, 24, 9), staff)
        circulars.set_recipients(circular, [unit.id])
        circulars.issue(circular, staff)
        db.session.commit()
    circular_id = circular.id
    answers = _run(app, liaison, "POST", f"/circulars/{circular_id}/read")
    counts = _tally("read receipt", answers)
    assert sum(counts[s] for s in (200, 204, 303)) == N
    assert db.session.scalar(select(func.count(CircularRead.id))) == 1


def _order_action(app, name: str, state: OrderState, action: str, actor_role: str, data: dict, message: str):
    unit, leader, liaison = staffed_unit()
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    actor = {"staff": staff, "liaison": liaison}[actor_role]
    with frozen():
        order = order_in(state, unit if state != OrderState.PENDING else None)
        version, order_id = order.version, order.id
        if "unit_id" in data:
            data = {**data, "unit_id": str(unit.id)}
        answers = _run(app, actor, "POST", f"/orders/{order_id}/act/{action}", {**data, "version": str(version)})
    _one_winner(name, answers, message, ok=(200, 303))
    return db.session.get(WorkOrder, order_id)


STALE = "该工单已被他人处理"


def test_simultaneous_signs(app):
    order = _order_action(app, "sign", OrderState.DISPATCHED, "sign", "liaison", {}, STALE)
    assert db.session.get(WorkOrder, order.id).state == OrderState.IN_PROGRESS


def test_simultaneous_dispatches(app):
    order = _order_action(app, "dispatch", OrderState.PENDING, "dispatch", "staff", {"unit_id": "x"}, STALE)
    assert db.session.get(WorkOrder, order.id).state == OrderState.DISPATCHED


def test_simultaneous_replies(app):
    order = _order_action(app, "reply", OrderState.IN_PROGRESS, "reply", "liaison",
                          {"result": "已现场处理完毕，路灯恢复照明", "contact_way": "电话", "resolved": "1",
                           "contacted_at": NOW.strftime("%Y-%m-%dT%H:%M")}, STALE)
    assert db.session.get(WorkOrder, order.id).state == OrderState.REPLIED


def test_simultaneous_approvals(app):
    order = _order_action(app, "approve extension", OrderState.EXTENSION_REQUESTED, "approve_extension", "staff",
                          {"text": "同意"}, STALE)
    assert db.session.get(WorkOrder, order.id).extension_count == 1


def test_overlapping_reminder_runs_send_each_reminder_once(app):
    unit, _leader, _liaison = staffed_unit()
    with frozen():
        order_in(OrderState.IN_PROGRESS, unit, handle_deadline=datetime(2026, 11, 24, 20, 0))
    campaign(datetime(2026, 11, 26, 23, 59, 59), units=[unit], starts_at=datetime(2026, 11, 1, 9))
    barrier = threading.Barrier(N)
    outputs: list = [None] * N
    db.session.rollback()

    def one(i):
        with app.app_context():
            runner = app.test_cli_runner()
            barrier.wait()
            with frozen():
                args = ["orders", "remind"] if i % 2 else ["kb", "remind", "--days", "3"]
                outputs[i] = runner.invoke(args=args)
            db.session.remove()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.rollback()
    codes = Counter(r.exit_code for r in outputs)
    RESULTS.append(f"reminders: exit codes {dict(codes)}")
    print(f"\nrace reminders: exit codes {dict(codes)}")
    assert codes == {0: N}, [r.output + str(r.exception) for r in outputs if r.exit_code]
    keys = db.session.execute(select(Notification.user_id, Notification.key)).all()
    assert len(keys) == len(set(keys)) and keys
    assert db.session.scalar(select(func.count(CampaignReminder.id))) == 1
