"""Scheme versions and units with August 2018 orders for the score tests."""
from __future__ import annotations

from datetime import date, datetime

from portal.scores.models import BoardScope
from portal.scores.services import ItemSpec, SchemeSpec, create_scheme
from tests.factories import UnitFactory
from tests.stats.factories import OrderFactory, closed

DEADLINE = datetime(2018, 8, 20, 23, 59, 59)
ON_TIME = datetime(2018, 8, 15, 10, 0)
LATE = datetime(2018, 8, 22, 10, 0)
MARKS = {"区县政府": 150, "市直部门": 100, "公共企事业单位": 100, "其他": 100}


def spec(month: date, items: list[ItemSpec], **kw) -> SchemeSpec:
    return SchemeSpec(name=kw.pop("name", "月度考核办法"), effective_from=month, full_marks=kw.pop("full_marks", MARKS),
                      items=items, **kw)


def scheme(month=date(2018, 8, 1), items=None, at=datetime(2018, 7, 20, 9, 0), **kw):
    """A version (default: 按期办结率 100%, no threshold, 红黑榜 2 per group) created at `at`."""
    kw.setdefault("red_size", 2)
    kw.setdefault("black_size", 2)
    kw.setdefault("board_scope", BoardScope.GROUP)
    return create_scheme(None, spec(month, items or [ItemSpec("on_time", 100, None)], **kw), at)


def unit_with(on_time: int, late: int = 0, group: str = "市直部门", **kw):
    """A unit whose August orders are `on_time` completed on time and `late` completed late."""
    unit = UnitFactory(group=group, **kw)
    for _ in range(on_time):
        closed(ON_TIME, last_unit=unit, unit=unit)
    for _ in range(late):
        closed(LATE, last_unit=unit, unit=unit)
    return unit


def open_order(unit, deadline=DEADLINE):
    return OrderFactory(last_unit=unit, unit=unit, handle_deadline=deadline)
