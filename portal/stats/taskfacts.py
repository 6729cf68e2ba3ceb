"""Where an order_task row stands at T: the one definition behind 协办数/协办及时率 (portal/stats/cotasks.py)
and the 下级单位 figures (portal/stats/subunits.py).

A task's deadline never changes and its times are its own (given, answered, ended), so its standing at any T
is read from the row alone:
- counted: given at or before T, and not let off by T: a part released (已免办) by T, or withdrawn (已收回) by T
  without an answer by T, is left out (an answer given before a withdrawal still counts: the unit did its work);
- answered by T: answered_at ≤ T; on time when answered_at ≤ deadline, else late;
- overdue: not answered by T and deadline < T; in progress: not answered by T and deadline ≥ T.
A task sent back down keeps no earlier answer (the row holds the latest), so it counts by its latest answer.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, not_

from portal.orders.enums import TaskState
from portal.orders.models import OrderTask


@dataclass(frozen=True)
class TaskStanding:
    counted: object
    answered: object
    on_time: object
    late: object
    overdue: object
    in_progress: object


def task_standing(t) -> TaskStanding:
    """SQL conditions on OrderTask for the standing of a task at T."""
    k = OrderTask
    answered = and_(k.answered_at.is_not(None), k.answered_at <= t)
    released = and_(k.state == TaskState.RELEASED, k.ended_at <= t)
    withdrawn = and_(k.state == TaskState.WITHDRAWN, k.ended_at <= t, not_(answered))
    return TaskStanding(
        counted=and_(k.dispatched_at <= t, not_(released), not_(withdrawn)),
        answered=answered,
        on_time=and_(answered, k.answered_at <= k.deadline),
        late=and_(answered, k.answered_at > k.deadline),
        overdue=and_(not_(answered), k.deadline < t),
        in_progress=and_(not_(answered), k.deadline >= t),
    )
