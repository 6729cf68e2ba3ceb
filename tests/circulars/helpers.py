"""A small August 2018 in the database: two units, a few orders and calls, one campaign missed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portal.auth.roles import Role
from portal.calls.models import CallOutcome
from portal.circulars import services
from portal.extensions import db
from portal.orders.enums import OrderKind
from tests.factories import UnitFactory, UserFactory
from tests.knowledge.factories import campaign
from tests.stats.factories import CallFactory, OrderFactory, TagFactory, closed

AS_OF = datetime(2018, 9, 29, 9, 0)
AUG = (date(2018, 8, 1), date(2018, 8, 31))


@dataclass
class World:
    a: object
    b: object
    praise: object
    overdue: object
    staff: object


def august() -> World:
    a = UnitFactory(short_name="恒口示范区", full_name="安康市恒口示范区管理委员会", display_order=1)
    b = UnitFactory(short_name="市人社局", full_name="安康市人力资源和社会保障局", display_order=2)
    tag = TagFactory(name="生态环境保护")
    closed(datetime(2018, 8, 12, 10), last_unit=a, kind=OrderKind.CONSULT, tags=[tag])
    overdue = OrderFactory(last_unit=a, kind=OrderKind.COMPLAINT)  # due 08-20, still open
    praise = closed(datetime(2018, 8, 9, 10), last_unit=b, kind=OrderKind.PRAISE, number="2018080801",
                    content="平利县城关镇徐女士8月8日来电表扬（工单编号2018072106）。")
    for _ in range(3):
        CallFactory(outcome=CallOutcome.DIRECT)
    CallFactory(outcome=CallOutcome.ORDER)
    campaign(datetime(2018, 8, 25, 23, 59, 59), units=[b], title="知识库信息报送")
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    return World(a, b, praise, overdue, staff)


def august_draft(world):
    """The August draft of the world, committed."""
    c = services.draft(*AUG, AS_OF, world.staff)
    db.session.commit()
    return c
