"""A week in March 2025 with one unit's order completed late and rated 不满意, through the real services."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from portal.auth.roles import Role
from portal.extensions import db
from portal.orders import handling, services
from portal.orders.enums import CallbackResult
from portal.stats.queries import Period, unit_rates, unit_table
from tests.factories import UserFactory
from tests.orders.factories import frozen, staffed_unit

MONDAY = datetime(2025, 3, 3, 9, 0)  # 咨询: 3 working days → deadline Thu 03-06 23:59:59
REPLIED = datetime(2025, 3, 7, 10, 0)  # Friday: one day late
CLOSED = datetime(2025, 3, 7, 11, 0)
WINDOW_END = datetime(2025, 3, 12, 23, 59, 59)  # 3 working days after Friday: Mon, Tue, Wed


def do(at: datetime, fn, *args, **kwargs):
    with frozen(at):
        result = fn(*args, **kwargs)
        db.session.commit()
    return result


def world() -> dict:
    a, b = staffed_unit(), staffed_unit()
    return {"centre": UserFactory(role=Role.CENTRE_STAFF, unit=None), "a": a, "b": b}


def late_order(w: dict, rating: CallbackResult | None = CallbackResult.UNSATISFIED):
    """An order of unit a, replied one day after its deadline, accepted, and (optionally) rated."""
    unit, _leader, liaison = w["a"]
    centre = w["centre"]
    order = do(MONDAY, services.create_order, centre, kind="consult", content="小区路灯不亮已经一周。")
    do(MONDAY + timedelta(minutes=5), services.dispatch, order, centre, unit)
    do(MONDAY + timedelta(hours=1), handling.sign, order, liaison)
    do(REPLIED, handling.submit_reply, order, liaison, result="已修复路灯。", contact_way="电话",
       contacted_at=REPLIED - timedelta(hours=1), resolved=True)
    do(CLOSED, handling.review_reply, order, centre, True, "")
    if rating is not None:
        do(CLOSED + timedelta(hours=1), services.record_callback, order, centre, rating, "群众认为处理太慢")
    return order


def figures(unit_id: int, t: datetime):
    """(unit table row, rates) of the unit for March 2025 as of t."""
    period = Period(date(2025, 3, 1), date(2025, 3, 31), t)
    row = next((r for r in unit_table(period).rows if r.unit_id == unit_id), None)
    return row, unit_rates(period).get(unit_id)
