"""Appeals (申诉): the window in working days, the leader's approval, the centre's decision, and an upheld
appeal's effect on the figures as of T (from the decision on, never before, never in an issued circular)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.appeals import services
from portal.appeals.lifecycle import AppealForbidden
from portal.appeals.models import Appeal, AppealKind, AppealStatus
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.enums import CallbackResult
from portal.orders.limits import save_limits
from portal.orders.models import OrderEvent
from tests.appeals.helpers import CLOSED, WINDOW_END, do, figures, late_order, world
from tests.orders.factories import frozen


@pytest.fixture
def w():
    return world()


def _late(order):
    return services.judgments(order)[-1]


def _counts():
    return (db.session.scalar(select(func.count(Appeal.id))),
            db.session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.action.like("appeal%"))))


def test_the_window_is_n_working_days_after_the_judgment(w):
    order = late_order(w, rating=None)
    judgment = _late(order)
    assert (judgment.kind, judgment.judged_at, judgment.window_end) == (AppealKind.LATENESS, CLOSED, WINDOW_END)
    liaison = w["a"][2]
    late = late_order(w, rating=None)
    before = _counts()
    with frozen(WINDOW_END + timedelta(seconds=1)), pytest.raises(RuleViolation, match="已超过申诉期限"):
        services.file_appeal(late, liaison, _late(late).target, "群众电话无法接通")
    db.session.rollback()
    assert _counts() == before
    appeal = do(WINDOW_END, services.file_appeal, order, liaison, judgment.target, "群众电话一直无法接通")
    assert appeal.status == AppealStatus.LEADER_REVIEW


def test_the_window_follows_the_working_day_calendar_and_the_setting():
    # 2025: 05-01…05-05 holiday; after Wednesday 04-30 the working days are 05-06, 05-07, 05-08.
    assert services.window_end(datetime(2025, 4, 30, 15)) == datetime(2025, 5, 8, 23, 59, 59)
    save_limits({"appeal_window_days": 1}, None)
    assert services.window_end(datetime(2025, 4, 30, 15)) == datetime(2025, 5, 6, 23, 59, 59)


def test_leader_approves_then_an_upheld_lateness_counts_on_time_from_the_decision_on(w):
    unit, leader, liaison = w["a"]
    other_leader = w["b"][1]
    order = late_order(w, rating=None)
    appeal = do(datetime(2025, 3, 10, 9), services.file_appeal, order, liaison, _late(order).target,
                "群众要求周末上门，经协商延后")
    for actor, action, error in ((other_leader, "leader_approve", AppealForbidden),
                                 (liaison, "leader_approve", AppealForbidden),
                                 (w["centre"], "uphold", RuleViolation)):
        with frozen(datetime(2025, 3, 10, 10)), pytest.raises(error):
            services.decide(appeal, action, actor, "同意")
        db.session.rollback()
        assert db.session.get(Appeal, appeal.id).status == AppealStatus.LEADER_REVIEW
    do(datetime(2025, 3, 10, 12), services.decide, appeal, "leader_approve", leader, "情况属实")
    assert appeal.status == AppealStatus.CENTRE_REVIEW
    decided = datetime(2025, 3, 11, 10)
    do(decided, services.decide, appeal, "uphold", w["centre"], "群众预约时间在时限之后，属实")
    assert (appeal.status, appeal.decided_at) == (AppealStatus.UPHELD, decided)
    before, _ = figures(unit.id, decided - timedelta(minutes=1))
    after, _ = figures(unit.id, decided)
    later, _ = figures(unit.id, datetime(2025, 3, 31, 23))
    assert (before.on_time, before.late) == (0, 1)
    assert (after.on_time, after.late) == (1, 0)
    assert (later.on_time, later.late, later.rate_text) == (1, 0, "100%")
    assert [e.action for e in order.events][-3:] == ["appeal_file", "appeal_leader_approve", "appeal_upheld_lateness"]


def test_an_upheld_rating_leaves_the_satisfaction_rate_from_the_decision_on(w):
    unit, leader, _liaison = w["a"]
    order = late_order(w, rating=CallbackResult.VERY_UNSATISFIED)
    rating = services.judgments(order)[0]
    appeal = do(datetime(2025, 3, 10, 9), services.file_appeal, order, leader, rating.target, "回访时联系错了人")
    assert appeal.status == AppealStatus.CENTRE_REVIEW  # a leader's own appeal goes straight to the centre
    decided = datetime(2025, 3, 12, 15)
    do(decided, services.decide, appeal, "uphold", w["centre"], "回访对象有误")
    _, before = figures(unit.id, decided - timedelta(seconds=1))
    _, after = figures(unit.id, decided)
    assert (before.callbacks, before.satisfied) == (1, 0)
    assert (after.callbacks, after.satisfied, after.satisfaction_text) == (0, 0, "—")
    row, _ = figures(unit.id, decided)
    assert row.late == 1  # the rating's appeal leaves the lateness alone


def test_a_rejected_appeal_changes_no_figure_and_cannot_be_decided_again(w):
    unit, leader, _liaison = w["a"]
    order = late_order(w, rating=None)
    appeal = do(datetime(2025, 3, 10, 9), services.file_appeal, order, leader, _late(order).target, "系统故障")
    with frozen(datetime(2025, 3, 11, 9)), pytest.raises(RuleViolation, match="理由"):
        services.decide(appeal, "reject", w["centre"], "  ")
    db.session.rollback()
    do(datetime(2025, 3, 11, 10), services.decide, appeal, "reject", w["centre"], "未提供系统故障的证明")
    assert appeal.status == AppealStatus.REJECTED
    row, _ = figures(unit.id, datetime(2025, 3, 31))
    assert (row.on_time, row.late) == (0, 1)
    with frozen(datetime(2025, 3, 11, 11)), pytest.raises(RuleViolation, match="申诉不成立"):
        services.decide(appeal, "uphold", w["centre"], "改判")
    db.session.rollback()
    assert db.session.get(Appeal, appeal.id).status == AppealStatus.REJECTED


def test_a_leader_who_disagrees_gives_a_reason_and_the_centre_never_sees_it(w):
    _unit, leader, liaison = w["a"]
    order = late_order(w, rating=None)
    appeal = do(datetime(2025, 3, 10, 9), services.file_appeal, order, liaison, _late(order).target, "理由")
    with frozen(datetime(2025, 3, 10, 10)), pytest.raises(RuleViolation, match="理由"):
        services.decide(appeal, "leader_reject", leader, "")
    db.session.rollback()
    do(datetime(2025, 3, 10, 11), services.decide, appeal, "leader_reject", leader, "理由不充分")
    assert appeal.status == AppealStatus.LEADER_REJECTED
    with frozen(datetime(2025, 3, 10, 12)), pytest.raises(RuleViolation):
        services.decide(appeal, "uphold", w["centre"], "成立")


def test_only_the_units_own_unsatisfied_ratings_and_late_completions_are_appealable(w):
    order = late_order(w, rating=CallbackResult.BASICALLY_SATISFIED)  # counts as satisfied: nothing to appeal
    assert [j.kind for j in services.judgments(order)] == [AppealKind.LATENESS]
    stranger = w["b"][2]
    before = _counts()
    with frozen(datetime(2025, 3, 10, 9)):
        assert services.open_judgments(order, stranger) == []
        with pytest.raises(AppealForbidden):
            services.file_appeal(order, stranger, _late(order).target, "不是我们的工单")
        with pytest.raises(RuleViolation, match="没有可申诉"):
            services.file_appeal(order, w["a"][2], "callback:999999", "不存在的评价")
    db.session.rollback()
    assert _counts() == before


def test_a_judgment_is_appealed_once_and_the_database_backs_it(w):
    _unit, leader, liaison = w["a"]
    order = late_order(w, rating=None)
    target = _late(order).target
    first = do(datetime(2025, 3, 10, 9), services.file_appeal, order, liaison, target, "第一次")
    with frozen(datetime(2025, 3, 10, 10)):
        assert services.open_judgments(order, leader) == []
        with pytest.raises(RuleViolation, match="已提出申诉"):
            services.file_appeal(order, leader, target, "第二次")
    db.session.rollback()
    db.session.add(Appeal(order_id=order.id, unit_id=first.unit_id, kind=AppealKind.LATENESS, target=target,
                          reason="竞争", status=AppealStatus.CENTRE_REVIEW))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_an_issued_circular_keeps_its_figures_after_an_upheld_appeal(w):
    from portal.circulars import services as circulars

    unit, leader, _liaison = w["a"]
    order = late_order(w, rating=None)
    appeal = do(datetime(2025, 3, 10, 9), services.file_appeal, order, leader, _late(order).target, "预约上门")
    circular = do(datetime(2025, 3, 10, 10), circulars.draft, date(2025, 3, 1), date(2025, 3, 31),
                  datetime(2025, 3, 10, 10), w["centre"])
    circulars.set_recipients(circular, [unit.id])
    do(datetime(2025, 3, 10, 11), circulars.issue, circular, w["centre"])
    do(datetime(2025, 3, 11, 10), services.decide, appeal, "uphold", w["centre"], "属实")
    db.session.expire_all()
    frozen_row = next(r for r in circular.snapshot["units"] if r["unit_id"] == unit.id)
    assert (frozen_row["on_time"], frozen_row["late"]) == (0, 1)
    later = do(datetime(2025, 3, 12, 10), circulars.draft, date(2025, 3, 1), date(2025, 3, 31),
               datetime(2025, 3, 12, 10), w["centre"])
    row = next(r for r in later.snapshot["units"] if r["unit_id"] == unit.id)
    assert (row["on_time"], row["late"]) == (1, 0)
