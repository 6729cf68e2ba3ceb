"""The one definition of "open", "due soon" and "overdue" for orders, in Python and in SQL side by side.

A deadline is overdue at `at` when it lies before `at`; the deadline second itself still belongs to the
unit (23:59:59 is on time). It is due soon when it lies in [at, at + 24 hours): so a deadline exactly at
`at` is due soon, never in neither. Lists (即将到期 / 已逾期 tabs and queues), the unit dashboard, the
reminders, the remaining time shown on an order and the calendar recompute all read these.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_

from portal.orders.enums import ACTIVE_STATES, FINISHED_STATES, OPEN_STATES
from portal.orders.models import WorkOrder

DUE_SOON = timedelta(hours=24)
# ACTIVE_STATES, FINISHED_STATES, OPEN_STATES are defined in enums (models' partial indexes need them too);
# re-exported here with the conditions built on them.
__all__ = ["ACTIVE_STATES", "DUE_SOON", "FINISHED_STATES", "OPEN_STATES", "is_due_soon", "is_overdue",
           "overdue_sql", "due_soon_sql", "open_sql", "active_overdue", "active_due_soon"]


def is_overdue(deadline: datetime, at: datetime) -> bool:
    return deadline < at


def is_due_soon(deadline: datetime, at: datetime) -> bool:
    return at <= deadline < at + DUE_SOON


def overdue_sql(column, at: datetime):
    return column < at


def due_soon_sql(column, at: datetime):
    return and_(column >= at, column < at + DUE_SOON)


def open_sql():
    """Not 已办结 and not 已并单."""
    return WorkOrder.state.not_in(FINISHED_STATES)


def active_overdue(at: datetime):
    """Orders a unit holds whose handle deadline has passed (the 已逾期 tab, the dashboard, the queues)."""
    return and_(WorkOrder.state.in_(ACTIVE_STATES), overdue_sql(WorkOrder.handle_deadline, at))


def active_due_soon(at: datetime):
    """Orders a unit holds whose handle deadline falls within the next 24 hours (即将到期, reminders)."""
    return and_(WorkOrder.state.in_(ACTIVE_STATES), due_soon_sql(WorkOrder.handle_deadline, at))
