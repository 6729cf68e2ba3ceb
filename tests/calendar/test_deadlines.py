"""Sign and handle deadlines (DOMAIN.md §3), extensions, remaining time, admin-edited limits."""
from __future__ import annotations

from datetime import datetime

import pytest

from portal.calendar.deadlines import extend_deadline
from portal.orders.deadlines import handle_deadline, sign_deadline, time_left
from portal.orders.limits import current_limits, handle_key, save_limits
from portal.orders.enums import OrderKind


def test_the_domain_example_consult_dispatched_before_national_day():
    assert handle_deadline(datetime(2018, 9, 28, 14), OrderKind.CONSULT, False) == datetime(2018, 10, 8, 23, 59, 59)


@pytest.mark.parametrize("kind, expected", [
    (OrderKind.CONSULT, datetime(2018, 10, 8, 23, 59, 59)),
    (OrderKind.PRAISE, datetime(2018, 10, 8, 23, 59, 59)),
    (OrderKind.HELP, datetime(2018, 10, 10, 23, 59, 59)),
    (OrderKind.COMPLAINT, datetime(2018, 10, 17, 23, 59, 59)),
    (OrderKind.REPORT, datetime(2018, 10, 17, 23, 59, 59)),
    (OrderKind.SUGGESTION, datetime(2018, 10, 17, 23, 59, 59)),
])
def test_handle_deadline_by_kind_across_national_day(kind, expected):
    assert handle_deadline(datetime(2018, 9, 28, 14), kind, False) == expected


def test_urgent_orders_run_on_the_clock_over_holidays():
    at = datetime(2018, 9, 30, 16, 20)
    assert handle_deadline(at, OrderKind.HELP, True) == datetime(2018, 10, 1, 16, 20)
    assert sign_deadline(at, True) == datetime(2018, 9, 30, 16, 50)


def test_sign_deadline_is_the_end_of_the_next_working_day():
    assert sign_deadline(datetime(2018, 9, 28, 14), False) == datetime(2018, 9, 29, 23, 59, 59)
    assert sign_deadline(datetime(2018, 9, 30, 9), False) == datetime(2018, 10, 8, 23, 59, 59)
    # Friday before the Spring Festival 2026: the next working day is the 调休 Saturday 02-14.
    assert sign_deadline(datetime(2026, 2, 13, 17), False) == datetime(2026, 2, 14, 23, 59, 59)
    assert sign_deadline(datetime(2026, 2, 14, 17), False) == datetime(2026, 2, 24, 23, 59, 59)


def test_extension_moves_by_working_days_and_keeps_the_time_of_day():
    assert extend_deadline(datetime(2018, 9, 28, 23, 59, 59), 3) == datetime(2018, 10, 8, 23, 59, 59)
    assert extend_deadline(datetime(2018, 9, 30, 16, 20), 1) == datetime(2018, 10, 8, 16, 20)
    assert extend_deadline(datetime(2018, 9, 30, 16, 20), 0) == datetime(2018, 9, 30, 16, 20)


def test_time_left_counts_working_time():
    deadline = datetime(2018, 10, 8, 23, 59, 59)
    left = time_left(deadline, datetime(2018, 9, 28, 14))
    assert (left.overdue, left.due_soon, left.working_days, left.hours) == (False, False, 3, 10)
    assert left.text == "剩余3个工作日10小时"
    # During the holiday only 10-08 remains.
    assert time_left(deadline, datetime(2018, 10, 3, 10)).text == "剩余1个工作日"


def test_time_left_due_soon_and_overdue():
    deadline = datetime(2018, 10, 8, 23, 59, 59)
    soon = time_left(deadline, datetime(2018, 10, 8, 18, 30))
    assert soon.due_soon and not soon.overdue and soon.text == "剩余5小时"
    assert time_left(deadline, datetime(2018, 10, 8, 23, 30)).text == "剩余29分钟"
    late = time_left(deadline, datetime(2018, 10, 10, 2, 0))
    assert late.overdue and not late.due_soon
    assert (late.working_days, late.hours, late.text) == (1, 2, "已逾期1天2小时")
    assert time_left(deadline, deadline).overdue is False


def test_admin_edited_limits_change_new_deadlines(login_as):
    admin = login_as("admin")
    assert current_limits().handle_days[OrderKind.CONSULT] == 3
    changed = save_limits({handle_key(OrderKind.CONSULT): 5, "urgent_handle_hours": 12,
                           "urgent_sign_minutes": 60, "sign_working_days": 2}, admin)
    assert set(changed) == {handle_key(OrderKind.CONSULT), "urgent_handle_hours", "urgent_sign_minutes",
                            "sign_working_days"}
    at = datetime(2018, 9, 28, 14)
    assert handle_deadline(at, OrderKind.CONSULT, False) == datetime(2018, 10, 10, 23, 59, 59)
    assert handle_deadline(at, OrderKind.HELP, False) == datetime(2018, 10, 10, 23, 59, 59)  # unchanged 5
    assert handle_deadline(at, OrderKind.HELP, True) == datetime(2018, 9, 29, 2)
    assert sign_deadline(at, True) == datetime(2018, 9, 28, 15)
    assert sign_deadline(at, False) == datetime(2018, 9, 30, 23, 59, 59)
    assert save_limits({handle_key(OrderKind.CONSULT): 5}, admin) == []
