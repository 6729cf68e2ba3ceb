"""Entering or changing a year's arrangement recomputes the stored deadlines of open orders that depend on it."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from portal.calendar.arrangements import Arrangement, HolidaySpan, WorkdaySwap
from portal.orders.recompute import delete_arrangement, save_arrangement
from portal.calendar.deadlines import extend_deadline
from portal.orders.deadlines import handle_deadline
from portal.orders.recompute import EVENT_ACTION
from portal.extensions import db
from portal.orders.enums import OrderKind, OrderState
from portal.orders.models import OrderEvent
from tests.calendar.helpers import dispatched_order
from tests.factories import UnitFactory

NEW_YEAR_2027 = Arrangement(2027, [HolidaySpan(date(2027, 1, 1), date(2027, 1, 3), "元旦")])


def recompute_events(order) -> list[OrderEvent]:
    return list(db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                            OrderEvent.action == EVENT_ACTION)))


def test_open_order_deadline_moves_and_the_change_is_an_event(login_as):
    admin = login_as("admin")
    order = dispatched_order(UnitFactory(), datetime(2026, 12, 30, 10))
    # Fallback: 12-31, 01-01 (a Friday, counted as working), 01-04.
    assert order.handle_deadline == datetime(2027, 1, 4, 23, 59, 59)
    outcome = save_arrangement(NEW_YEAR_2027, admin)
    db.session.commit()
    assert outcome.recomputed == [order]
    assert order.handle_deadline == datetime(2027, 1, 5, 23, 59, 59)
    [event] = recompute_events(order)
    assert event.actor_id == admin.id
    assert "原时限 2027-01-04 23:59:59" in event.text and "新时限 2027-01-05 23:59:59" in event.text
    assert event.data["handle_deadline"] == {"from": "2027-01-04 23:59:59", "to": "2027-01-05 23:59:59"}


def test_approved_extensions_are_preserved(login_as):
    admin = login_as("admin")
    at = datetime(2026, 12, 28, 9)
    order = dispatched_order(UnitFactory(), at, OrderKind.HELP, extensions=(3, 2))
    save_arrangement(NEW_YEAR_2027, admin)
    # 5 working days of 求助 plus 3 + 2 approved, laid out on the new calendar.
    expected = extend_deadline(handle_deadline(at, OrderKind.HELP, False), 5)
    assert order.handle_deadline == expected == datetime(2027, 1, 12, 23, 59, 59)


def test_a_reopened_order_counts_from_the_reopen(login_as):
    admin = login_as("admin")
    order = dispatched_order(UnitFactory(), datetime(2026, 12, 1, 9), reopened_at=datetime(2026, 12, 31, 15))
    # 3 working days after the reopen on 12-31: 01-01 (fallback), 01-04, 01-05.
    assert order.handle_deadline == datetime(2027, 1, 5, 23, 59, 59)
    save_arrangement(NEW_YEAR_2027, admin)
    assert order.handle_deadline == datetime(2027, 1, 6, 23, 59, 59)


def test_unsigned_order_gets_a_new_sign_deadline(login_as):
    admin = login_as("admin")
    order = dispatched_order(UnitFactory(), datetime(2026, 12, 31, 10), state=OrderState.DISPATCHED)
    assert order.sign_deadline == datetime(2027, 1, 1, 23, 59, 59)
    save_arrangement(NEW_YEAR_2027, admin)
    assert order.sign_deadline == datetime(2027, 1, 4, 23, 59, 59)
    [event] = recompute_events(order)
    assert "签收时限：原时限 2027-01-01 23:59:59，新时限 2027-01-04 23:59:59" in event.text


def test_closed_urgent_and_unaffected_orders_are_left_alone(login_as):
    admin = login_as("admin")
    unit = UnitFactory()
    closed = dispatched_order(unit, datetime(2026, 12, 30, 10), state=OrderState.CLOSED)
    urgent = dispatched_order(unit, datetime(2026, 12, 31, 20), urgent=True)
    earlier = dispatched_order(unit, datetime(2026, 11, 2, 10))
    before = {o.id: (o.handle_deadline, o.sign_deadline) for o in (closed, urgent, earlier)}
    outcome = save_arrangement(NEW_YEAR_2027, admin)
    assert outcome.recomputed == []
    assert {o.id: (o.handle_deadline, o.sign_deadline) for o in (closed, urgent, earlier)} == before
    assert not any(recompute_events(o) for o in (closed, urgent, earlier))


def test_urgent_order_with_an_extension_moves_only_its_extension(login_as):
    admin = login_as("admin")
    order = dispatched_order(UnitFactory(), datetime(2026, 12, 30, 16), urgent=True, extensions=(1,))
    # 24 hours: 12-31 16:00, then 1 working day on the fallback calendar: 01-01 16:00.
    assert order.handle_deadline == datetime(2027, 1, 1, 16)
    save_arrangement(NEW_YEAR_2027, admin)
    assert order.handle_deadline == datetime(2027, 1, 4, 16)


def test_changing_and_deleting_an_arrangement_recompute_again(login_as):
    admin = login_as("admin")
    order = dispatched_order(UnitFactory(), datetime(2026, 12, 30, 10))
    save_arrangement(NEW_YEAR_2027, admin)
    assert order.handle_deadline == datetime(2027, 1, 5, 23, 59, 59)
    # The State Council adds a 调休 working Saturday 01-02 … (made up for the test)
    changed = Arrangement(2027, [HolidaySpan(date(2027, 1, 1), date(2027, 1, 1), "元旦")],
                          [WorkdaySwap(date(2027, 1, 2), "元旦调休")])
    outcome = save_arrangement(changed, admin)
    assert outcome.changed_days == [date(2027, 1, 2)]
    assert order.handle_deadline == datetime(2027, 1, 4, 23, 59, 59)
    delete_arrangement(2027, admin)
    assert order.handle_deadline == datetime(2027, 1, 4, 23, 59, 59)  # 12-31, 01-01, 01-04 again
    assert len(recompute_events(order)) == 2  # the deletion changed 01-01 and 01-02, not this deadline
