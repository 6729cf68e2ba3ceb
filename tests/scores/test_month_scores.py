"""Scores of a month as of T: the scheme in force that month, ranks with ties, 红榜/黑榜, adjustments."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.records import Reply
from portal.scores.models import AdjustmentKind, BoardScope, Scheme
from portal.scores.queries import month_scores, scheme_in_force
from portal.scores.services import (
    ItemSpec, add_adjustment, create_scheme, delete_scheme, revoke_adjustment, update_scheme,
)
from portal.stats.queries import Period, unit_rates
from portal.stats.trends import BLACK, RED
from tests.factories import UnitFactory
from tests.scores.helpers import DEADLINE, ON_TIME, open_order, scheme, spec, unit_with
from tests.stats.factories import closed

AUG = date(2018, 8, 1)
T = datetime(2018, 9, 29, 12, 0)


def totals(ms, group="市直部门"):
    return {e.short_name: (e.total, e.rank, e.tied, e.mark) for e in ms.groups[group]}


def test_each_month_is_scored_with_the_version_in_force_that_month():
    july = scheme(date(2018, 7, 1), [ItemSpec("on_time", 100, None)], at=datetime(2018, 6, 1))
    august = scheme(AUG, [ItemSpec("on_time", 100, 80)], at=datetime(2018, 7, 20))
    unit = unit_with(3, late=1, short_name="甲")
    for _ in range(3):  # July orders, 3 of 4 on time
        closed(datetime(2018, 7, 10), last_unit=unit, unit=unit, accepted_at=datetime(2018, 7, 2, 9))
    closed(datetime(2018, 7, 30), last_unit=unit, unit=unit, accepted_at=datetime(2018, 7, 2, 9),
           handle_deadline=datetime(2018, 7, 20, 23, 59, 59))
    assert scheme_in_force(date(2018, 6, 1)) is None
    assert scheme_in_force(date(2018, 7, 31)).id == july.id
    assert scheme_in_force(date(2018, 12, 1)).id == august.id
    # the same 3/4 on time: July's version has no threshold, August's 80% threshold zeroes it
    assert month_scores(date(2018, 7, 1), T).entry(unit.id).total == Decimal("75.00")
    assert month_scores(AUG, T).entry(unit.id).total == Decimal("0.00")
    assert month_scores(date(2018, 6, 1), T).scheme is None


def test_a_new_version_starts_in_a_month_not_yet_begun_and_never_rewrites_a_started_one():
    at = datetime(2018, 8, 10, 9, 0)
    first = scheme(date(2018, 1, 1), at=at)  # the first version may start in the past
    with pytest.raises(RuleViolation, match="尚未开始的月份"):
        scheme(AUG, at=at)
    with pytest.raises(RuleViolation, match="不能修改或删除"):
        update_scheme(None, first, spec(date(2018, 1, 1), [ItemSpec("sign", 100, None)]), at)
    with pytest.raises(RuleViolation, match="不能修改或删除"):
        delete_scheme(None, first, at)
    september = scheme(date(2018, 9, 1), at=at)
    update_scheme(None, september, spec(date(2018, 9, 1), [ItemSpec("sign", 60, 90), ItemSpec("on_time", 40, None)]),
                  at)
    assert [(i.indicator, i.weight, i.threshold) for i in september.items] == [("sign", 60, 90), ("on_time", 40, None)]
    with pytest.raises(RuleViolation, match="已有从2018年9月起执行的版本"):
        scheme(date(2018, 9, 1), at=at)
    delete_scheme(None, september, at)
    assert [s.id for s in db.session.query(Scheme)] == [first.id]
    assert [i.indicator for i in first.items] == ["on_time"]


def test_a_scheme_is_checked_before_it_is_saved():
    with pytest.raises(RuleViolation, match="权重合计应为 100%，现为 90%"):
        create_scheme(None, spec(AUG, [ItemSpec("on_time", 50, None), ItemSpec("sign", 40, None)]), T)
    with pytest.raises(RuleViolation, match="满分：其他"):
        create_scheme(None, spec(AUG, [ItemSpec("on_time", 100, None)], full_marks={
            "区县政府": 150, "市直部门": 100, "公共企事业单位": 100}), T)
    assert db.session.query(Scheme).count() == 0


def test_ties_share_a_rank_and_the_lists_take_every_unit_tied_with_their_last_place():
    scheme(red_size=2, black_size=2)
    units = [unit_with(a, b, short_name=name) for name, a, b in
             (("甲", 4, 0), ("乙", 4, 0), ("丙", 3, 1), ("丁", 2, 2), ("戊", 2, 2), ("己", 1, 3))]
    assert len(units) == 6
    t = totals(month_scores(AUG, T))
    assert t == {
        "甲": (Decimal("100.00"), 1, True, RED), "乙": (Decimal("100.00"), 1, True, RED),
        "丙": (Decimal("75.00"), 3, False, None),
        "丁": (Decimal("50.00"), 4, True, BLACK), "戊": (Decimal("50.00"), 4, True, BLACK),
        "己": (Decimal("25.00"), 6, False, BLACK),
    }


def test_list_sizes_are_the_schemes_and_nobody_at_the_best_score_is_on_the_black_list():
    scheme(red_size=1, black_size=0)
    for name, a, b in (("甲", 4, 0), ("乙", 3, 1), ("丙", 2, 2), ("丁", 1, 3)):
        unit_with(a, b, short_name=name)
    ms = month_scores(AUG, T)
    assert [e.short_name for e in ms.red] == ["甲"] and ms.black == []
    db.session.delete(db.session.query(Scheme).one())
    db.session.flush()
    scheme(red_size=5, black_size=5)
    ms = month_scores(AUG, T)  # 4 units: at most half of them on each list
    assert [e.short_name for e in ms.red] == ["甲", "乙"] and [e.short_name for e in ms.black] == ["丙", "丁"]


def test_all_tied_are_all_red_and_none_black():
    scheme()
    for name in "甲乙丙":
        unit_with(2, short_name=name)
    ms = month_scores(AUG, T)
    assert [e.mark for e in ms.groups["市直部门"]] == [RED, RED, RED]
    assert ms.black == []


def test_lists_over_all_units_compare_the_share_of_full_marks():
    scheme(board_scope=BoardScope.OVERALL, red_size=1, black_size=1)
    county = unit_with(3, 1, group="区县政府", short_name="县")  # 112.50 of 150 = 75%
    unit_with(4, 0, short_name="局")  # 100 of 100
    weak = unit_with(1, 1, short_name="弱")  # 50 of 100
    ms = month_scores(AUG, T)
    assert ms.entry(county.id).total == Decimal("112.50")
    assert [(e.short_name, e.overall_rank) for e in ms.red] == [("局", 1)]
    assert [(e.short_name, e.overall_rank) for e in ms.black] == [("弱", 3)]
    assert ms.entry(county.id).mark is None and ms.entry(county.id).rank == 1  # first of its own group
    assert ms.entry(weak.id).percent_text == "50.00%"


def test_deductions_and_bonuses_count_as_of_t_and_revoking_keeps_history():
    scheme()
    unit = unit_with(4, short_name="甲")
    entered = datetime(2018, 9, 20, 10, 0)
    deduct = add_adjustment(None, unit=unit, month=AUG, kind=AdjustmentKind.DEDUCT, hundredths=250,
                            reason="答复不规范", at=entered)
    add_adjustment(None, unit=unit, month=AUG, kind=AdjustmentKind.BONUS, hundredths=100, reason="表扬", at=entered)
    assert month_scores(AUG, entered - timedelta(seconds=1)).entry(unit.id).total == Decimal("100.00")
    assert month_scores(AUG, entered).entry(unit.id).total == Decimal("98.50")
    revoked_at = datetime(2018, 9, 25, 10, 0)
    revoke_adjustment(None, deduct, "复核后撤销", revoked_at)
    assert month_scores(AUG, revoked_at - timedelta(seconds=1)).entry(unit.id).total == Decimal("98.50")
    assert month_scores(AUG, revoked_at).entry(unit.id).total == Decimal("101.00")
    with pytest.raises(RuleViolation, match="已撤销"):
        revoke_adjustment(None, deduct, "再撤销", revoked_at)
    with pytest.raises(RuleViolation, match="原因"):
        add_adjustment(None, unit=unit, month=AUG, kind=AdjustmentKind.BONUS, hundredths=100, reason=" ", at=entered)


def test_a_score_as_of_an_earlier_t_differs_when_later_events_exist():
    scheme()
    unit = unit_with(1, short_name="甲")  # completed on time on 08-15
    open_order(unit, deadline=datetime(2018, 8, 30, 23, 59, 59))  # never completed
    early, late = datetime(2018, 8, 25, 12, 0), T
    # 08-25: the open order is still within its deadline (在办), so 1/1 on time; by 09-29 it is overdue: 1/2
    assert month_scores(AUG, early).entry(unit.id).total == Decimal("100.00")
    assert month_scores(AUG, late).entry(unit.id).total == Decimal("50.00")
    # orders accepted after T do not exist at T
    assert month_scores(AUG, datetime(2018, 8, 5)).entry(unit.id) is None


def test_units_without_orders_dispatched_to_them_are_not_scored():
    scheme()
    idle = UnitFactory(short_name="闲")
    add_adjustment(None, unit=idle, month=AUG, kind=AdjustmentKind.BONUS, hundredths=100, reason="表扬", at=T)
    ms = month_scores(AUG, T)
    assert [e.short_name for e in ms.unscored] == ["闲"] and ms.groups == {}


def test_resolution_rate_reads_the_reply_that_completed_the_order():
    unit = UnitFactory()
    yes = closed(ON_TIME, last_unit=unit, unit=unit)
    no = closed(ON_TIME, last_unit=unit, unit=unit)
    open_order(unit)
    for order, resolved in ((yes, True), (no, False)):
        db.session.add(Reply(order_id=order.id, unit_id=unit.id, submitted_at=ON_TIME, result="已办理",
                             contact_way="电话", resolved=resolved, unresolved_reason="" if resolved else "政策不允许"))
    db.session.add(Reply(order_id=no.id, unit_id=unit.id, submitted_at=ON_TIME - timedelta(days=2), result="初次回复",
                         contact_way="电话", resolved=True))  # an earlier, rejected reply does not count
    db.session.commit()
    r = unit_rates(Period(AUG, date(2018, 8, 31), T))[unit.id]
    assert (r.completed, r.resolved, r.resolution_text) == (2, 1, "50.0%")
    assert DEADLINE > ON_TIME
