"""Escalation (issue 13): 问题工单 after N reopens or N units (settings), graded chasing 督办 → 督办单 → 列入通报,
督办单 numbers, the printable notice, and the circular's data naming them."""
from __future__ import annotations

import subprocess
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders import handling, queries, services
from portal.orders.enums import OrderState
from portal.orders.limits import save_limits
from portal.orders.models import OrderEvent
from portal.orders.notices import NoticeNumberCounter, SupervisionNotice, next_notice_seq
from tests.factories import UserFactory
from tests.orders.factories import NOW, frozen, order_in, staffed_unit

S = OrderState


@pytest.fixture
def staff():
    return UserFactory(role="centre_staff", unit=None)


def _reply_and_reject(order, liaison, staff, n):
    with frozen(NOW + timedelta(hours=n)):
        handling.submit_reply(order, liaison, result=f"第{n}次回复", contact_way="电话", contacted_at=NOW,
                              resolved=True)
        handling.review_reply(order, staff, False, "未解决")
        db.session.commit()


def test_the_third_reopen_makes_a_problem_order(staff):
    unit, _leader, liaison = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
    for n in (1, 2):
        _reply_and_reject(order, liaison, staff, n)
    assert order.problem_at is None
    _reply_and_reject(order, liaison, staff, 3)
    assert order.problem_at == NOW + timedelta(hours=3)
    assert order.events[-1].data["problem"] == "重办3次" and "列为问题工单" in order.events[-1].text
    _reply_and_reject(order, liaison, staff, 4)
    assert order.problem_at == NOW + timedelta(hours=3)  # flagged once


def test_the_reopen_threshold_is_a_setting(staff):
    save_limits({"problem_reopens": 4}, None)
    unit, _leader, liaison = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
    for n in (1, 2, 3):
        _reply_and_reject(order, liaison, staff, n)
    assert order.problem_at is None
    _reply_and_reject(order, liaison, staff, 4)
    assert order.problem_at is not None


def _pass_on(order, staff, unit, n):
    """Dispatch to `unit`, then the unit returns it and the centre approves (back to 待派单)."""
    leader = next(u for u in unit.users if u.role == "unit_leader")
    with frozen(NOW + timedelta(minutes=10 * n)):
        services.dispatch(order, staff, unit)
        db.session.commit()
    if n < 3:
        with frozen(NOW + timedelta(minutes=10 * n + 5)):
            handling.request_return(order, leader, "不属本单位职责", "三定方案")
            handling.centre_decide_return(order, staff, True, "")
            db.session.commit()


def test_the_third_unit_makes_a_problem_order_and_the_same_unit_again_does_not_count(staff):
    a, b, c = (staffed_unit()[0] for _ in range(3))
    with frozen():
        order = order_in(S.PENDING)
    _pass_on(order, staff, a, 1)
    _pass_on(order, staff, a, 2)  # the same unit again
    assert order.problem_at is None
    other = order_in(S.PENDING)
    _pass_on(other, staff, a, 1)
    _pass_on(other, staff, b, 2)
    assert other.problem_at is None
    _pass_on(other, staff, c, 3)
    assert other.problem_at == NOW + timedelta(minutes=30)
    assert other.events[-1].data["problem"] == "先后派至3个单位"
    with frozen(NOW + timedelta(hours=1)):
        listed = queries.page_of(staff, queries.find_tab(queries.CENTRE_QUEUES, "problem"), queries.Filters(), 1, 20)
    assert [o.id for o in listed.items] == [other.id]


def test_graded_chasing_each_step_needs_the_one_before_and_is_recorded(staff):
    unit, _leader, liaison = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        db.session.execute(db.delete(db.Model.metadata.tables["supervision"]))  # no 催办 yet
        db.session.commit()
        for step in (lambda: services.issue_notice(order, staff, "限三日内办结"),
                     lambda: services.list_in_circular(order, staff)):
            with pytest.raises(RuleViolation):
                step()
            db.session.rollback()
        assert db.session.scalar(select(func.count(SupervisionNotice.id))) == 0
        assert db.session.scalar(select(func.count(NoticeNumberCounter.year))) == 0
        services.supervise(order, staff, "请尽快办理")
        first = services.issue_notice(order, staff, "限三日内办结")
        second = services.issue_notice(order, staff, "再次督办")
        with pytest.raises(RuleViolation, match="没有权限"):  # a unit never lists itself
            services.list_in_circular(order, liaison)
        services.list_in_circular(order, staff, "督办后仍未办结")
        db.session.commit()
        with pytest.raises(RuleViolation, match="已列入通报"):
            services.list_in_circular(order, staff)
    assert (first.number, second.number) == ("督〔2026〕1号", "督〔2026〕2号")
    actions = [e.action for e in order.events]
    assert actions[-4:] == ["supervise", "issue_notice", "issue_notice", "list_in_circular"]
    assert order.events[-2].text.startswith("督〔2026〕2号")


def test_notice_numbers_come_from_a_counter_row_per_year_and_the_pair_is_unique(staff):
    with frozen():
        assert [next_notice_seq(2026) for _ in range(3)] == [1, 2, 3]
        assert next_notice_seq(2027) == 1
        unit, _leader, _liaison = staffed_unit()
        order = order_in(S.IN_PROGRESS, unit)
        db.session.add(SupervisionNotice(order_id=order.id, unit_id=unit.id, year=2026, seq=3, text="a"))
        db.session.flush()
        db.session.add(SupervisionNotice(order_id=order.id, unit_id=unit.id, year=2026, seq=3, text="b"))
        with pytest.raises(IntegrityError):
            db.session.flush()
    db.session.rollback()


def test_the_notice_prints_as_a_pdf_in_chinese_for_the_unit_only(client, login_as, tmp_path, staff):
    unit, _leader, _liaison = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit, title="小区路灯不亮")
        services.supervise(order, staff, "请尽快办理")
        notice = services.issue_notice(order, staff, "请于三个工作日内办结并回复")
        db.session.commit()
    login_as("liaison", unit)
    resp = client.get(f"/supervision/notices/{notice.id}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    (tmp_path / "n.pdf").write_bytes(resp.data)
    text = "".join(subprocess.run(["pdftotext", str(tmp_path / "n.pdf"), "-"], capture_output=True,
                                  text=True).stdout.split())
    for words in ("督办单", "督〔2026〕1号", unit.full_name, order.number, "请于三个工作日内办结并回复", "小区路灯不亮"):
        assert words in text
    login_as("liaison", staffed_unit()[0])
    assert client.get(f"/supervision/notices/{notice.id}.pdf").status_code == 404


def test_the_circular_names_problem_and_listed_orders_of_its_period(staff):
    from portal.circulars.snapshot import build

    unit, _leader, liaison = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
    for n in (1, 2, 3):
        _reply_and_reject(order, liaison, staff, n)
    with frozen(NOW + timedelta(hours=5)):
        services.issue_notice(order, staff, "限期办结")
        services.list_in_circular(order, staff, "督办后仍未办结")
        db.session.commit()
    snap = build(date(2026, 11, 1), date(2026, 11, 30), NOW + timedelta(days=1))
    assert [(p["number"], p["unit"], p["reason"]) for p in snap["problem_orders"]] == [
        (order.number, unit.short_name, "重办3次")]
    assert [(p["number"], p["reason"]) for p in snap["listed_orders"]] == [(order.number, "督办后仍未办结")]
    earlier = build(date(2026, 11, 1), date(2026, 11, 30), NOW + timedelta(hours=2))  # before both
    assert earlier["problem_orders"] == [] and earlier["listed_orders"] == []
    assert db.session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.action == "list_in_circular")) == 1
