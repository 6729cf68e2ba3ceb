"""The centre's side takes first-level units only: dispatch, the unit picker, campaigns, circular recipients,
the orders import and the unit list. Sub-units are reached through their unit, and their liaisons get what
is sent to the sub-unit."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge.campaigns import target_unit_ids
from portal.knowledge.models import TargetMode
from portal.notifications.models import Notification
from portal.order_import.importing import import_orders
from portal.orders import services, tasks
from portal.orders.enums import OrderState
from portal.orders.models import WorkOrder
from portal.orders.queries import search_units
from tests.factories import UnitFactory, UserFactory
from tests.orders.factories import frozen, order_in


@pytest.fixture
def county():
    county = UnitFactory(short_name="汉滨区政府", group="区县政府")
    town = UnitFactory(short_name="老城街道", full_name="汉滨区老城街道办事处", parent=county, group="区县政府")
    return county, town


def test_dispatch_to_a_sub_unit_is_refused_and_the_picker_offers_none(county):
    county_unit, town = county
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    with frozen():
        order = order_in(OrderState.PENDING)
        with pytest.raises(RuleViolation, match="是下级单位，中心只能派单给一级承办单位"):
            services.dispatch(order, staff, town)
    db.session.rollback()
    assert db.session.get(WorkOrder, order.id).unit_id is None
    assert town not in search_units("") and town not in search_units("老城")
    assert county_unit in search_units("汉滨")


def test_campaigns_and_circulars_address_first_level_units(county):
    county_unit, town = county
    assert town.id not in target_unit_ids(TargetMode.ALL, [], [])
    assert town.id not in target_unit_ids(TargetMode.GROUPS, ["区县政府"], [])
    assert target_unit_ids(TargetMode.UNITS, [], [town.id, county_unit.id]) == [county_unit.id]
    from portal.circulars.services import draft

    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    with frozen():
        circular = draft(date(2026, 10, 1), date(2026, 10, 31), datetime(2026, 11, 20, 12), staff)
    assert {r.unit_id for r in circular.recipients} == {county_unit.id}
    from portal.circulars.services import set_recipients

    set_recipients(circular, [town.id, county_unit.id])
    assert {r.unit_id for r in circular.recipients} == {county_unit.id}


def test_an_imported_order_naming_a_sub_unit_is_refused_with_the_reason(county):
    data = ("工单编号,受理时间,诉求类型,标题,诉求内容,承办单位,派单时间\n"
            "X1,2026-11-20 09:00,咨询,标题,内容,老城街道,2026-11-20 10:00\n").encode()
    outcome = import_orders(data, "orders.csv")
    text = " ".join(outcome.errors.lines())
    assert "“老城街道”是下级单位（汉滨区政府 › 老城街道），承办单位须填写一级单位" in text
    assert db.session.scalar(select(db.func.count(WorkOrder.id))) == 0


def test_what_is_sent_to_a_sub_unit_reaches_its_liaisons_only(county):
    county_unit, town = county
    town2 = UnitFactory(short_name="新城街道", parent=county_unit)
    county_liaison = UserFactory(role=Role.LIAISON, unit=county_unit)
    town_liaison = UserFactory(role=Role.LIAISON, unit=town)
    other_liaison = UserFactory(role=Role.LIAISON, unit=town2)
    with frozen():
        order = order_in(OrderState.IN_PROGRESS, county_unit)
        tasks.pass_down(order, county_liaison, town, text="请核实处理",
                        deadline=order.handle_deadline - timedelta(days=1))
        db.session.commit()
    got = {n.user_id for n in db.session.scalars(select(Notification).where(Notification.kind == "task_passed"))}
    assert town_liaison.id in got and other_liaison.id not in got and county_liaison.id not in got
