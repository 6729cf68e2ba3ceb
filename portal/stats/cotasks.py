"""协办数 and 协办及时率 per unit as of T (issue 12): the one definition every figure reads.

The 协办 parts the centre gives co-units (order_task rows with no assigning unit and role 协办), on the orders
the unit table counts (accepted in the period by T, not merged by T). A part's deadline never changes and its
times are its own (given, answered, ended), so its standing at any T is read from the row alone:

- it counts from `dispatched_at ≤ T`; a part released (已免办) by T is left out (the co-unit was let off),
  and so is a part withdrawn (已收回) by T that was not answered by T (an answer given before a withdrawal
  still counts: the co-unit did its work);
- 协办数 = the parts counted; 按时答复 = those answered by T with `answered_at ≤ deadline`;
- 应答复 = those answered by T or past their deadline at T (a part still within its deadline and unanswered
  is 在办 and not yet judged, like an order in progress);
- 协办及时率 = 按时答复 ÷ 应答复.

The order itself still counts only for its lead unit; these figures are the co-unit's own.
"""
from __future__ import annotations

from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.orders.enums import TaskRole
from portal.orders.models import OrderTask
from portal.stats._sql import F, count_if, counted
from portal.stats.period import Period
from portal.stats.taskfacts import task_standing


def co_task_counts(period: Period) -> dict[int, tuple[int, int, int]]:
    """unit id → (协办数, 应答复, 按时答复) as of the period's T."""
    t, k = period.as_of, OrderTask
    s = task_standing(t)
    due = or_(s.answered, k.deadline < t)
    stmt = (select(k.unit_id, func.count(k.id), count_if(due), count_if(s.on_time))
            .join(F, F.order_id == k.order_id)
            .where(counted(period), k.assigner_unit_id.is_(None), k.role == TaskRole.CO, s.counted)
            .group_by(k.unit_id))
    return {unit_id: (int(n), int(n_due), int(n_on_time)) for unit_id, n, n_due, n_on_time in db.session.execute(stmt)}
