"""Open, due soon and overdue mean the same on every list, dashboard, reminder and clock, at the boundary too."""
from __future__ import annotations

from datetime import timedelta

from portal.auth.roles import Role
from portal.orders.deadlines import time_left
from portal.orders.enums import OrderState
from portal.orders.queries import CENTRE_QUEUES, UNIT_TABS, tab_counts
from portal.orders.reminders import send_handle_reminders
from portal.stats.dashboard import attention
from tests.factories import UserFactory
from tests.orders.factories import NOW, frozen, order_in, staffed_unit


def _where(user, at):
    unit_tabs, queues = tab_counts(user["liaison"], UNIT_TABS, at), tab_counts(user["staff"], CENTRE_QUEUES, at)
    seen = attention(user["liaison"], at)
    clock = time_left(NOW, at)
    return {
        "unit tab": ("due_soon" if unit_tabs["due_soon"] else "") + ("overdue" if unit_tabs["overdue"] else ""),
        "centre queue": ("due_soon" if queues["due_soon"] else "") + ("overdue" if queues["overdue"] else ""),
        "dashboard": ("due_soon" if seen.due_soon_count else "") + ("overdue" if seen.overdue_count else ""),
        "clock": ("due_soon" if clock.due_soon else "") + ("overdue" if clock.overdue else ""),
    }


def test_a_deadline_exactly_now_is_due_soon_everywhere_and_overdue_one_second_later():
    """Before, an order due exactly now was in neither the 即将到期 nor the 已逾期 tab (the dashboard said due soon)."""
    with frozen():
        unit, _leader, liaison = staffed_unit()
        order_in(OrderState.IN_PROGRESS, unit, handle_deadline=NOW)
        user = {"liaison": liaison, "staff": UserFactory(role=Role.CENTRE_STAFF, unit=None)}
        assert set(_where(user, NOW).values()) == {"due_soon"}
        assert set(_where(user, NOW + timedelta(seconds=1)).values()) == {"overdue"}
        assert set(_where(user, NOW - timedelta(hours=24) + timedelta(seconds=1)).values()) == {"due_soon"}
        assert set(_where(user, NOW - timedelta(hours=24)).values()) == {""}  # 24 hours left: not yet due soon


def test_reminders_use_the_same_boundary():
    with frozen():
        unit, _leader, _liaison = staffed_unit()
        order_in(OrderState.IN_PROGRESS, unit, handle_deadline=NOW)
        assert send_handle_reminders(NOW - timedelta(hours=24)) == 0
        assert send_handle_reminders(NOW) == 2  # the unit's leader and liaison
        assert send_handle_reminders(NOW) == 0  # once per deadline
