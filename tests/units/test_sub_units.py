"""下级单位: the tree kept by a unit leader (inside its own sub-tree) and by admins, and sub-unit liaisons."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.enums import OrderState, TaskRole, TaskState
from portal.orders.models import OrderTask
from portal.roster import tree
from portal.units.models import RosterEvent, Unit
from portal.units.queries import first_level_units, sub_tree, units_without_liaison
from tests.factories import UnitFactory, UserFactory
from tests.orders.factories import frozen, order_in

HX = {"HX-Request": "true"}


def _state():
    """Every unit's name, parent and status, and the roster log: what a refused change must leave alone."""
    db.session.expire_all()
    units = {(u.id, u.short_name, u.full_name, u.parent_id, u.display_order, u.active)
             for u in db.session.scalars(select(Unit))}
    return units, db.session.scalar(select(db.func.count(RosterEvent.id)))


@pytest.fixture
def county():
    """汉滨区政府 › 老城街道 › 老城社区 › 一组, and 汉滨区政府 › 新城街道; a leader of the county."""
    unit = UnitFactory(short_name="汉滨区政府")
    town = UnitFactory(short_name="老城街道", parent=unit)
    community = UnitFactory(short_name="老城社区", parent=town)
    group = UnitFactory(short_name="一组", parent=community)
    town2 = UnitFactory(short_name="新城街道", parent=unit)
    leader = UserFactory(role=Role.UNIT_LEADER, unit=unit)
    return dict(unit=unit, town=town, community=community, group=group, town2=town2, leader=leader)


def test_the_tree_reads_depth_first_in_display_order(county):
    nodes = [(n.unit.short_name, n.depth) for n in sub_tree(county["unit"])]
    assert nodes == [("老城街道", 1), ("老城社区", 2), ("一组", 3), ("新城街道", 1)]
    assert county["group"].path_name == "汉滨区政府 › 老城街道 › 老城社区 › 一组"
    assert county["unit"] in first_level_units() and county["town"] not in first_level_units()


def test_leader_adds_renames_moves_and_reorders_inside_its_tree(county):
    leader, town2 = county["leader"], county["town2"]
    village = tree.add_sub_unit(leader, town2, short_name="新城村", full_name="新城街道新城村")
    assert village.parent_id == town2.id and village.group == county["unit"].group
    assert tree.update_sub_unit(leader, village, short_name="新城一村", full_name="新城街道新城一村",
                                display_order=7)
    assert tree.update_sub_unit(leader, village, short_name="新城一村", full_name="新城街道新城一村",
                                display_order=7) is False
    assert tree.move_sub_unit(leader, village, county["community"])
    db.session.flush()
    assert village.path_name == "汉滨区政府 › 老城街道 › 老城社区 › 新城一村"
    actions = [e.action for e in db.session.scalars(select(RosterEvent).where(RosterEvent.unit_id == village.id)
                                                     .order_by(RosterEvent.id))]
    assert actions == ["add_sub_unit", "update_sub_unit", "move_sub_unit"]


def test_names_are_unique_among_siblings_only(county):
    other_county = UnitFactory(short_name="旬阳市政府")
    a = tree.add_sub_unit(county["leader"], county["unit"], short_name="城关镇")
    admin = UserFactory(role=Role.ADMIN, unit=None)
    b = tree.add_sub_unit(admin, other_county, short_name="城关镇")  # the same name in another county
    assert a.short_name == b.short_name and a.parent_id != b.parent_id
    db.session.commit()
    before = _state()
    with pytest.raises(RuleViolation, match="同一上级单位下已有名为“城关镇”"):
        tree.add_sub_unit(county["leader"], county["unit"], short_name="城关镇")
    db.session.rollback()
    assert _state() == before


@pytest.mark.parametrize("target", ["unit", "town", "community", "group"])
def test_a_move_under_itself_or_below_is_refused(county, target):
    """No cycles: a unit cannot hang under itself or anything below it (the leader's own unit cannot move)."""
    town = county["town"]
    before = _state()
    with pytest.raises(RuleViolation):
        tree.move_sub_unit(county["leader"], town, county[target]) if target != "unit" else \
            tree.move_sub_unit(county["leader"], county["unit"], town)
    db.session.rollback()
    assert _state() == before


def test_a_move_to_another_first_level_tree_is_refused_even_for_an_admin(county):
    admin = UserFactory(role=Role.ADMIN, unit=None)
    other = UnitFactory(short_name="市住建局")
    before = _state()
    with pytest.raises(RuleViolation, match="只能在本单位内部"):
        tree.move_sub_unit(admin, county["town"], other)
    db.session.rollback()
    assert _state() == before


def test_a_sub_unit_leader_works_only_inside_its_own_sub_tree(county):
    town_leader = UserFactory(role=Role.UNIT_LEADER, unit=county["town"])
    # Below it: allowed.
    room = tree.add_sub_unit(town_leader, county["community"], short_name="二组")
    assert tree.update_sub_unit(town_leader, room, short_name="二小组", full_name="二小组", display_order=3)
    db.session.commit()
    before = _state()
    for change in (
        lambda: tree.add_sub_unit(town_leader, county["town2"], short_name="越权"),       # sideways
        lambda: tree.add_sub_unit(town_leader, county["unit"], short_name="越权"),        # up
        lambda: tree.update_sub_unit(town_leader, county["town"], short_name="改名", full_name="改名",
                                     display_order=1),                                   # itself
        lambda: tree.deactivate_sub_unit(town_leader, county["town2"]),
        lambda: tree.move_sub_unit(town_leader, room, county["town2"]),                  # out of its tree
        lambda: tree.move_sub_unit(town_leader, county["town2"], county["community"]),
    ):
        with pytest.raises(RuleViolation):
            change()
        db.session.rollback()
    assert _state() == before


def test_deactivation_waits_for_open_tasks_and_active_sub_units(county):
    leader, community, group = county["leader"], county["community"], county["group"]
    with frozen():
        order = order_in(OrderState.IN_PROGRESS, county["unit"])
    task = OrderTask(order_id=order.id, unit_id=group.id, assigner_unit_id=community.id, role=TaskRole.LEAD,
                     state=TaskState.IN_PROGRESS, dispatched_at=datetime(2026, 11, 24, 9),
                     deadline=datetime(2026, 11, 26, 23, 59, 59))
    db.session.add(task)
    db.session.commit()
    before = _state()
    with pytest.raises(RuleViolation, match="还有 1 个启用的下级单位"):
        tree.deactivate_sub_unit(leader, community)
    with pytest.raises(RuleViolation, match="仍有 1 件未办结的下派工单"):
        tree.deactivate_sub_unit(leader, group)
    db.session.rollback()
    assert _state() == before
    task.state = TaskState.ACCEPTED
    db.session.commit()
    tree.deactivate_sub_unit(leader, group)
    tree.deactivate_sub_unit(leader, community)
    with pytest.raises(RuleViolation, match="上级单位“老城社区”已停用"):
        tree.reactivate_sub_unit(leader, group)
    tree.reactivate_sub_unit(leader, community)
    tree.reactivate_sub_unit(leader, group)
    assert group.active and community.active


def test_a_first_level_unit_with_active_sub_units_is_not_stopped(client, login_as, county):
    login_as(Role.ADMIN)
    before = _state()
    resp = client.post(f"/admin/units/{county['unit'].id}/deactivate", headers=HX)
    assert resp.status_code == 422 and "还有 2 个启用的下级单位" in resp.text
    assert _state() == before


# --- pages ---------------------------------------------------------------------------------------------------


def test_leader_pages_add_edit_and_stop_a_sub_unit(client, login_as, county):
    login_as(Role.UNIT_LEADER, unit=county["unit"])
    page = client.get("/unit/sub-units")
    assert page.status_code == 200 and 'data-depth="3"' in page.text and "一组" in page.text
    resp = client.post(f"/unit/sub-units/{county['unit'].id}/new", headers=HX,
                       data={"short_name": "江北街道", "full_name": "", "parent_id": str(county["unit"].id),
                             "display_order": "0"})
    assert resp.status_code == 200 and resp.headers.get("HX-Redirect")
    added = db.session.scalar(select(Unit).where(Unit.short_name == "江北街道"))
    assert added.parent_id == county["unit"].id and added.full_name == "江北街道" and added.display_order > 0
    # A move under its own sub-unit is not offered, and refused when posted.
    before = _state()
    resp = client.post(f"/unit/sub-units/{county['town'].id}/edit", headers=HX,
                       data={"short_name": "老城街道", "full_name": county["town"].full_name,
                             "parent_id": str(county["group"].id), "display_order": "1"})
    assert resp.status_code == 422 and "上级单位" in resp.text
    assert _state() == before
    resp = client.post(f"/unit/sub-units/{county['group'].id}/deactivate", headers=HX)
    assert resp.status_code == 200 and "已停用下级单位" in resp.text
    db.session.expire_all()
    assert db.session.get(Unit, county["group"].id).active is False
    # The leader's own unit is not a sub-unit it may edit.
    assert client.get(f"/unit/sub-units/{county['unit'].id}/edit").status_code == 404


def test_admin_opens_any_tree_from_the_unit_list(client, login_as, county):
    login_as(Role.ADMIN)
    listing = client.get("/admin/units")
    assert 'data-subunits-of="汉滨区政府"' in listing.text and "下级单位 4 个" in listing.text
    assert 'data-unit="老城街道"' not in listing.text  # sub-units are not rows of the centre's list
    page = client.get(f"/unit/sub-units?unit_id={county['unit'].id}")
    assert page.status_code == 200 and "老城社区" in page.text
    resp = client.post(f"/unit/sub-units/{county['town2'].id}/new", headers=HX,
                       data={"short_name": "新城社区", "parent_id": str(county["town2"].id), "display_order": "2"})
    assert resp.status_code == 200


def test_leader_adds_and_stops_a_sub_unit_liaison_and_the_centre_sees_it(client, login_as, county):
    login_as(Role.UNIT_LEADER, unit=county["unit"])
    town = county["town"]
    resp = client.post(f"/unit/sub-units/{town.id}/people/new", headers=HX,
                       data={"name": "老城联络员", "username": "laocheng1", "mobile": "13911112222"})
    assert resp.status_code == 200 and "联络员已添加" in resp.text
    liaison = db.session.scalar(select(User).where(User.username == "laocheng1"))
    assert liaison.unit_id == town.id and liaison.role == Role.LIAISON
    people = client.get(f"/unit/sub-units/{town.id}/people")
    assert "laocheng1" in people.text and "停用" in people.text
    resp = client.post(f"/unit/roster/{liaison.id}/deactivate", headers=HX, data={"to_user": ""})
    assert resp.status_code == 200 and resp.headers["HX-Redirect"].endswith(f"/unit/sub-units/{town.id}/people")
    db.session.expire_all()
    assert db.session.get(User, liaison.id).active is False
    actions = [e.action for e in db.session.scalars(select(RosterEvent).where(RosterEvent.unit_id == town.id))]
    assert actions == ["add_user", "deactivate_user"]
    login_as(Role.CENTRE_STAFF)
    log = client.get("/admin/roster-changes").text
    assert "老城联络员" in log and "停用联络员" in log


def test_the_centre_lists_first_level_units_without_a_liaison_only(county):
    lacking = units_without_liaison()
    assert county["unit"] in lacking
    assert not {county["town"], county["town2"], county["group"]} & set(lacking)
