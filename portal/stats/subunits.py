"""下级单位 figures: each sub-unit's own handling of the parts of orders passed down to it (order_task rows).

One definition, used by the unit dashboard, its XLSX export and the tests. For a period [start, end] and T, like
every figure: the tasks of the orders the unit table counts for the period (accepted in it by T, not merged by
T), each standing at T as portal/stats/taskfacts.py defines (received = counted; 按期答复, 逾期答复, 逾期未答复,
在办), and 及时率 = 按期答复 / (received − 在办), a whole percent rounded half up like 按期办结率.

The centre's figures never read these: an order counts for its first-level unit (portal/stats/table.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.extensions import db
from portal.orders.enums import TaskState
from portal.orders.models import OrderTask
from portal.stats._sql import F, count_if, counted
from portal.stats.formatting import percent_whole
from portal.stats.period import Period
from portal.stats.taskfacts import task_standing
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


def task_figures(period: Period, unit_ids: list[int]) -> dict[int, dict[str, int]]:
    """The figures of each unit's own tasks (no sub-tree roll-up), for the units given."""
    if not unit_ids:
        return {}
    st = task_standing(period.as_of)
    stmt = (select(T.unit_id, func.count(T.id).label("received"),
                   *(count_if(getattr(st, name)).label(name)
                     for name in ("on_time", "late", "overdue", "in_progress")))
            .join(F, F.order_id == T.order_id)
            .where(counted(period), T.unit_id.in_(unit_ids), st.counted)
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
    ws.append(cells([f"{unit.path_name} 下级单位办理情况 {period.label}（按受理时间），统计截止 "
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
