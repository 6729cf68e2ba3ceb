"""下级单位 figures: each sub-unit's own handling of the parts of orders passed down to it (order_task rows).

One definition, used by the unit dashboard, its XLSX export and the tests. For a period [start, end] and T:
- a task is received in the period when it was passed down (dispatched_at) on a day of the period, at or
  before T; a task withdrawn or released at or before T without an answer by T is not counted (the unit took
  it back up or relieved the sub-unit of it);
- answered by T: its answer (answered_at) came at or before T; on time when answered_at ≤ its deadline;
- overdue: not answered by T and its deadline < T; in progress: not answered by T and deadline ≥ T;
- 及时率 = on time / (received − in progress), a whole percent rounded half up, like 按期办结率.
The task row keeps its latest answer and deadline, so a task sent back down and answered again counts by
its latest answer (docs/decisions.md).

The centre's figures never read these: an order counts for its first-level unit (portal/stats/table.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, not_, select

from portal.extensions import db
from portal.orders.enums import TaskState
from portal.orders.models import OrderTask
from portal.stats.formatting import percent_whole
from portal.stats.period import Period
from portal.units.models import Unit
from portal.units.queries import sub_tree

T = OrderTask


@dataclass
class SubUnitRow:
    unit: Unit
    depth: int  # 0: the viewer's own unit (a sub-unit user), 1: a direct sub-unit, …
    received: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    in_progress: int = 0

    @property
    def rate_denominator(self) -> int:
        return self.received - self.in_progress

    @property
    def rate_text(self) -> str:
        return percent_whole(self.on_time, self.rate_denominator)


def _columns(t):
    answered = and_(T.answered_at.is_not(None), T.answered_at <= t)
    ended_unanswered = and_(T.state.in_((TaskState.WITHDRAWN, TaskState.RELEASED)), T.ended_at.is_not(None),
                            T.ended_at <= t, not_(answered))
    counted = and_(T.dispatched_at <= t, not_(ended_unanswered))

    def n(cond):
        return func.coalesce(func.sum(case((and_(counted, cond), 1), else_=0)), 0)

    return counted, [
        n(True).label("received"),
        n(and_(answered, T.answered_at <= T.deadline)).label("on_time"),
        n(and_(answered, T.answered_at > T.deadline)).label("late"),
        n(and_(not_(answered), T.deadline < t)).label("overdue"),
        n(and_(not_(answered), T.deadline >= t)).label("in_progress"),
    ]


def task_figures(period: Period, unit_ids: list[int]) -> dict[int, dict[str, int]]:
    """The figures of each unit's own tasks (no sub-tree roll-up), for the units given."""
    if not unit_ids:
        return {}
    _counted, cols = _columns(period.as_of)
    stmt = (select(T.unit_id, *cols)
            .where(T.unit_id.in_(unit_ids), T.dispatched_at >= period.start_at,
                   T.dispatched_at < period.end_before)
            .group_by(T.unit_id))
    return {rec.unit_id: {k: int(v) for k, v in rec._mapping.items() if k != "unit_id"}
            for rec in db.session.execute(stmt)}


def sub_unit_rows(unit: Unit, period: Period) -> list[SubUnitRow]:
    """The rows of the dashboard's 下级单位 table: the unit itself when it is a sub-unit, then its sub-tree."""
    nodes = ([(unit, 0)] if unit.parent_id is not None else []) + [(n.unit, n.depth) for n in sub_tree(unit)]
    figures = task_figures(period, [u.id for u, _depth in nodes])
    return [SubUnitRow(u, depth, **figures.get(u.id, {})) for u, depth in nodes]


HEADERS = ("下级单位", "层级", "收到", "按期答复", "逾期答复", "逾期未答复", "在办", "及时率")


def sub_units_xlsx(unit: Unit, period: Period) -> bytes:
    """The dashboard's 下级单位 table as a workbook (text kept as text, stamped with who exported it)."""
    from openpyxl import Workbook

    from portal.web.spreadsheet import cells, workbook_bytes

    wb = Workbook()
    ws = wb.active
    ws.title = "下级单位办理情况"
    ws.append(cells([f"{unit.path_name} 下级单位办理情况 {period.label}（按下派时间），统计截止 "
                     f"{period.as_of:%Y-%m-%d %H:%M:%S}"]))
    ws.append(list(HEADERS))
    for r in sub_unit_rows(unit, period):
        ws.append(cells([r.unit.path_name, r.depth, r.received, r.on_time, r.late, r.overdue, r.in_progress,
                         r.rate_text]))
    ws.column_dimensions["A"].width = 36
    return workbook_bytes(wb, title="下级单位办理情况")


# A task not yet answered (signed or not, or its release asked for): the figures' "not answered by T" today.
WAITING_STATES = (TaskState.DISPATCHED, TaskState.IN_PROGRESS, TaskState.RELEASE_REQUESTED)
LIST_LIMIT = 10


def overdue_sub_unit_tasks(user, at) -> tuple[list[OrderTask], int]:
    """The parts passed down inside the user's sub-tree that are past their deadline unanswered (the home
    page's 下级单位逾期 panel), earliest deadline first, and how many there are in all."""
    from portal.web.scoping import visible_unit_ids

    below = [i for i in visible_unit_ids(user) if i != user.unit_id]
    if not below:
        return [], 0
    stmt = select(T).where(T.unit_id.in_(below), T.state.in_(WAITING_STATES), T.deadline < at)
    count = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    tasks = list(db.session.scalars(stmt.order_by(T.deadline, T.id).limit(LIST_LIMIT))) if count else []
    return tasks, count
