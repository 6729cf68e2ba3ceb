"""The rules of figures as of T, one history each, through the real services (issue 11)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders import handling, services
from portal.orders.callbacks import save_satisfied_levels
from portal.orders.enums import CallbackResult, OrderKind
from portal.stats.queries import Period, unit_rates, unit_table
from tests.factories import UserFactory
from tests.orders.factories import frozen, staffed_unit

MONDAY = datetime(2025, 3, 3, 9, 0)  # an ordinary working week


def at(hours: float) -> datetime:
    return MONDAY + timedelta(hours=hours)


def as_of(t: datetime):
    period = Period(date(2025, 3, 1), date(2025, 3, 31), t)
    return unit_table(period), unit_rates(period)


@pytest.fixture
def world():
    a, b = staffed_unit(), staffed_unit()
    return {"centre": UserFactory(role=Role.CENTRE_STAFF, unit=None), "a": a, "b": b}


def new_order(world, hours=0.0, kind=OrderKind.CONSULT):
    with frozen(at(hours)):
        order = services.create_order(world["centre"], kind=kind, content="小区路灯不亮已经一周。")
        db.session.commit()
    return order


def do(hours: float, fn, *args, **kwargs):
    with frozen(at(hours)):
        result = fn(*args, **kwargs)
        db.session.commit()
    return result


def test_returns_count_requests_not_leader_approvals_or_acknowledgements(world):
    unit, leader, liaison = world["a"]
    order = new_order(world)
    do(0.1, services.dispatch, order, world["centre"], unit)
    do(0.2, services.supervise, order, world["centre"], "请尽快签收")
    do(0.3, handling.request_return, order, liaison, "不属本单位职责", "三定方案")
    do(0.4, handling.leader_decide_return, order, leader, True, "")
    do(0.5, services.acknowledge, order, liaison)  # acknowledged while the return is pending
    do(0.6, handling.centre_decide_return, order, world["centre"], False, "属于本单位职责")
    _table, rates = as_of(at(1))
    assert (rates[unit.id].returns, rates[unit.id].returned_orders, rates[unit.id].dispatched_to) == (1, 1, 1)


def test_an_approved_return_waits_apart_with_no_unit_and_no_deadline_until_redispatched(world):
    first, second = world["a"][0], world["b"][0]
    order = new_order(world)
    do(0.1, services.dispatch, order, world["centre"], first)
    do(0.2, handling.request_return, order, world["a"][1], "不属本单位职责", "三定方案")
    do(0.3, handling.centre_decide_return, order, world["centre"], True, "")
    long_after = at(24 * 20)  # far past the first unit's deadline
    table, rates = as_of(long_after)
    assert table.rows == [] and table.undispatched == 1  # not 逾期未办结 for the unit that returned it
    assert (rates[first.id].returns, rates[first.id].dispatched_to, rates[first.id].return_rate_text) == (1, 1, "100.0%")
    do(24 * 21, services.dispatch, order, world["centre"], second)
    table, _rates = as_of(long_after)  # the same T, computed after the re-dispatch: unchanged
    assert table.rows == [] and table.undispatched == 1
    table, _rates = as_of(at(24 * 21))
    assert [(r.unit_id, r.total, r.in_progress) for r in table.rows] == [(second.id, 1, 1)]


def test_an_extension_approved_after_t_does_not_change_the_deadline_at_t(world):
    unit, _leader, liaison = world["a"]
    order = new_order(world)  # 咨询: due Thursday 2025-03-06 23:59:59
    do(0.1, services.dispatch, order, world["centre"], unit)
    do(0.2, handling.sign, order, liaison)
    do(24 * 3, handling.request_extension, order, liaison, "需现场勘查", 3)
    friday = datetime(2025, 3, 7, 9, 0)
    do(24 * 4 - 1, handling.decide_extension, order, world["centre"], True, "")  # approved Thursday night
    table, rates = as_of(datetime(2025, 3, 6, 23, 0))
    assert (table.total.in_progress, rates[unit.id].extensions) == (1, 0)
    table, rates = as_of(friday)
    assert (table.total.in_progress, table.total.overdue_open, rates[unit.id].extensions) == (1, 0, 1)


def test_a_reply_accepted_after_t_completes_at_its_submission_and_a_rejected_one_does_not(world):
    unit, _leader, liaison = world["a"]
    kept, rejected = new_order(world), new_order(world)
    for order in (kept, rejected):
        do(0.1, services.dispatch, order, world["centre"], unit)
        do(0.2, handling.sign, order, liaison)
        do(1, handling.submit_reply, order, liaison, result="已修复路灯。", contact_way="电话", contacted_at=at(1),
           resolved=True)
    t = at(2)
    before = as_of(t)[0].total
    assert (before.on_time, before.in_progress) == (0, 2)  # the review is still to come
    do(30, handling.review_reply, kept, world["centre"], True, "")
    do(30, handling.review_reply, rejected, world["centre"], False, "未联系群众")
    after = as_of(t)[0].total
    assert (after.on_time, after.in_progress) == (1, 1)


def test_merged_and_reopened_after_t_do_not_change_the_figures_at_t(world):
    unit, _leader, liaison = world["a"]
    earlier, duplicate, closed = new_order(world), new_order(world, 0.05), new_order(world, 0.06)
    do(0.1, services.dispatch, closed, world["centre"], unit)
    do(0.2, handling.sign, closed, liaison)
    do(1, handling.submit_reply, closed, liaison, result="已修复路灯。", contact_way="电话", contacted_at=at(1),
       resolved=True)
    do(2, handling.review_reply, closed, world["centre"], True, "")
    t = at(3)
    assert (as_of(t)[0].undispatched, as_of(t)[0].total.on_time) == (2, 1)
    do(4, services.merge, duplicate, world["centre"], earlier, "重复来电")
    do(5, services.reopen, closed, world["centre"], "群众反映未解决")
    table = as_of(t)[0]
    assert (table.undispatched, table.total.on_time, table.total.in_progress) == (2, 1, 0)
    table = as_of(at(6))[0]
    assert (table.undispatched, table.total.on_time, table.total.in_progress) == (1, 0, 1)


def test_two_extensions_per_dispatch_restarting_at_a_redispatch_not_at_a_reopen(world):
    unit, _leader, liaison = world["a"]
    order = new_order(world, kind=OrderKind.COMPLAINT)
    do(0.1, services.dispatch, order, world["centre"], unit)
    do(0.2, handling.sign, order, liaison)
    for hours in (1, 2):
        do(hours, handling.request_extension, order, liaison, "需现场勘查", 1)
        do(hours + 0.5, handling.decide_extension, order, world["centre"], True, "")
    with pytest.raises(RuleViolation, match="每次派单最多延期2次"):
        do(3, handling.request_extension, order, liaison, "还需协调", 1)
    db.session.rollback()
    # a reopen does not give the allowance back
    do(4, handling.submit_reply, order, liaison, result="已处理。", contact_way="电话", contacted_at=at(4), resolved=True)
    do(5, handling.review_reply, order, world["centre"], False, "未联系群众")
    with pytest.raises(RuleViolation, match="每次派单最多延期2次"):
        do(6, handling.request_extension, order, liaison, "还需协调", 1)
    db.session.rollback()
    assert as_of(at(7))[1][unit.id].extensions == 2
    # returned (within the 2-working-day window) and dispatched again to the same unit: a new allowance
    fresh = new_order(world, 8, kind=OrderKind.COMPLAINT)
    do(8.1, services.dispatch, fresh, world["centre"], unit)
    do(8.2, handling.sign, fresh, liaison)
    for hours in (9, 10):
        do(hours, handling.request_extension, fresh, liaison, "需现场勘查", 1)
        do(hours + 0.5, handling.decide_extension, fresh, world["centre"], True, "")
    do(11, handling.request_return, fresh, world["a"][1], "不属本单位职责", "三定方案")
    do(11.5, handling.centre_decide_return, fresh, world["centre"], True, "")
    do(12, services.dispatch, fresh, world["centre"], unit)
    do(12.1, handling.sign, fresh, liaison)
    do(13, handling.request_extension, fresh, liaison, "需现场勘查", 1)
    assert fresh.state.value == "extension_requested"
    do(13.5, handling.decide_extension, fresh, world["centre"], True, "")
    assert as_of(at(14))[1][unit.id].extensions == 2 + 1  # the first order's 2, the new dispatch's 1


def test_satisfaction_uses_the_levels_the_admin_counts_as_satisfied(world):
    unit, _leader, liaison = world["a"]
    results = [CallbackResult.VERY_SATISFIED, CallbackResult.BASICALLY_SATISFIED, CallbackResult.VERY_UNSATISFIED]
    for i, result in enumerate(results):
        order = new_order(world, i)
        do(i + 0.1, services.dispatch, order, world["centre"], unit)
        do(i + 0.2, handling.sign, order, liaison)
        do(i + 0.3, handling.submit_reply, order, liaison, result="已修复。", contact_way="电话", contacted_at=at(i),
           resolved=True)
        do(i + 0.4, handling.review_reply, order, world["centre"], True, "")
        do(i + 0.5, services.record_callback, order, world["centre"], result)
    rates = as_of(at(5))[1][unit.id]
    assert (rates.callbacks, rates.satisfied, rates.satisfaction_text) == (3, 2, "66.7%")
    save_satisfied_levels([CallbackResult.VERY_SATISFIED, CallbackResult.SATISFIED])
    rates = as_of(at(5))[1][unit.id]
    assert (rates.callbacks, rates.satisfied, rates.satisfaction_text) == (3, 1, "33.3%")
