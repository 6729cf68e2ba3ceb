"""Scoping at every depth of the unit tree: an order passed down to a township of 汉滨区 (and further down to a
community and a group) is a 404 for every other township, community, group and unit, at every order URL; the
units on its path down (and the county) see it; a sub-unit never sees up or sideways.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from portal.auth.roles import Role
from portal.extensions import db
from portal.orders.actions import ACTIONS
from portal.orders.attachments import save_attachment
from portal.orders.enums import OrderState, TaskRole, TaskState
from portal.orders.models import OrderEvent, OrderTask, WorkOrder
from portal.orders.records import Attachment
from tests.factories import UnitFactory, UserFactory
from tests.orders.factories import NOW, frozen, order_in, staffed_unit
from tests.security.helpers import HX, log_in, upload
from tests.security.test_unit_isolation import FULL_FORM


@dataclass
class Tree:
    county: object
    other: object  # another first-level unit
    path: list  # 老城街道 (depth 1) → 老城社区 (2) → 一组 (3)
    siblings: list  # 新城街道 (1), 新民社区 (2, under 老城街道), 二组 (3, under 老城社区)
    cousin: object  # 新城街道's community: depth 2 under the sibling township
    users: dict  # unit id -> [leader, liaison]
    orders: dict  # depth -> order passed down to path[depth - 1]
    attachments: dict


def _staff(unit):
    return [UserFactory(role=Role.UNIT_LEADER, unit=unit), UserFactory(role=Role.LIAISON, unit=unit)]


def _pass_down(order, chain):
    """Tasks along `chain` (each unit passes the order on to the next), as the passing-down transitions leave them."""
    parent_task, assigner = None, order.unit
    for unit in chain:
        task = OrderTask(order_id=order.id, unit_id=unit.id, assigner_unit_id=assigner.id, role=TaskRole.LEAD,
                         state=TaskState.IN_PROGRESS, task_text="请核实处理", dispatched_at=NOW - timedelta(minutes=30),
                         deadline=order.handle_deadline - timedelta(days=1), signed_at=NOW - timedelta(minutes=20),
                         parent_task=parent_task)
        db.session.add(task)
        db.session.flush()
        parent_task, assigner = task, unit
    db.session.commit()


@pytest.fixture
def tree():
    county, county_leader, county_liaison = staffed_unit()
    other, other_leader, other_liaison = staffed_unit()
    users = {county.id: [county_leader, county_liaison], other.id: [other_leader, other_liaison]}
    town = UnitFactory(short_name="老城街道", parent=county)
    town2 = UnitFactory(short_name="新城街道", parent=county)
    community = UnitFactory(short_name="老城社区", parent=town)
    community2 = UnitFactory(short_name="新民社区", parent=town)
    cousin = UnitFactory(short_name="新城社区", parent=town2)
    group = UnitFactory(short_name="一组", parent=community)
    group2 = UnitFactory(short_name="二组", parent=community)
    for unit in (town, town2, community, community2, cousin, group, group2):
        users[unit.id] = _staff(unit)
    path = [town, community, group]
    orders, attachments = {}, {}
    with frozen():
        for depth in (1, 2, 3):
            order = order_in(OrderState.IN_PROGRESS, county, title=f"下派工单-第{depth}级")
            _pass_down(order, path[:depth])
            attachments[depth] = save_attachment(order, upload(), county_liaison)
            orders[depth] = order
        db.session.commit()
    return Tree(county, other, path, [town2, community2, group2], cousin, users, orders, attachments)


def _snapshot():
    db.session.expire_all()
    orders = {(o.id, o.state, o.version, o.unit_id) for o in db.session.scalars(db.select(WorkOrder))}
    tasks = {(t.id, t.state, t.version) for t in db.session.scalars(db.select(OrderTask))}
    events = db.session.scalar(db.select(db.func.count(OrderEvent.id)))
    files = db.session.scalar(db.select(db.func.count(Attachment.id)))
    return orders, tasks, events, files


def _order_urls(app, order, attachment):
    """Every URL of one order, for every method: the detail, its files, every order action, every move of
    each of its tasks, and whatever other order rules exist (read from the URL map, so new order endpoints
    are attacked too)."""
    from flask import url_for

    from portal.orders.task_views import MOVES

    task_ids = [t.id for t in db.session.scalars(db.select(OrderTask).where(OrderTask.order_id == order.id))]
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "order_id" not in rule.arguments or "circular_id" in rule.arguments:
                continue
            choices = [{"order_id": order.id}]
            for name in sorted(rule.arguments - {"order_id"}):
                values = {"attachment_id": [attachment.id], "task_id": task_ids, "kind": ["co", "down"],
                          "action": sorted(MOVES) if "task_id" in rule.arguments else sorted(ACTIONS)}.get(name, [1])
                choices = [dict(c, **{name: v}) for c in choices for v in values]
            for values in choices:
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    yield method, url_for(rule.endpoint, **values)


def _outsiders(tree, depth):
    """Every unit that must not see the order passed down to depth `depth`."""
    inside = {u.id for u in tree.path[:depth]} | {tree.county.id}
    below = {u.id for u in tree.path[depth:]}  # units further down the path have no task of it
    return [uid for uid in tree.users if uid not in inside and uid not in below] + sorted(below)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_an_order_passed_down_is_404_for_every_other_unit_at_every_url(app, client, tree, depth):
    order, attachment = tree.orders[depth], tree.attachments[depth]
    urls = list(_order_urls(app, order, attachment))
    assert any(u.endswith(f"/attachments/{attachment.id}") for _m, u in urls)
    assert sum("/tasks/" in u for _m, u in urls) > depth  # every task of the order, every move
    before = _snapshot()
    attackers = _outsiders(tree, depth)
    assert tree.other.id in attackers and tree.siblings[0].id in attackers
    with frozen():
        # Every other unit attacks, by its leader or its liaison in turn and by page or htmx request in turn
        # (the roles and the kinds of request share one scoping; test_unit_isolation covers each of them).
        for i, unit_id in enumerate(attackers):
            user, headers = tree.users[unit_id][(i + depth) % 2], [{}, HX][(i + depth) % 2]
            log_in(client, user)
            for method, url in urls:
                if method == "POST" and url.endswith("/attachments"):
                    resp = client.post(url, data={"files": upload()}, headers=headers,
                                       content_type="multipart/form-data")
                else:
                    resp = client.open(url, method=method, data=FULL_FORM if method == "POST" else None,
                                       headers=headers)
                assert resp.status_code == 404, (user.unit.short_name, method, url, resp.status_code)
            body = client.get("/orders/mine?tab=working").get_data(as_text=True)
            assert order.title not in body
            export = client.get("/orders/export.xlsx?tab=working")
            cells = [str(c.value) for row in load_workbook(io.BytesIO(export.data)).active.iter_rows() for c in row]
            assert not any(order.title in c for c in cells)
    assert _snapshot() == before


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_the_units_on_the_path_down_see_the_order(client, tree, depth):
    order, attachment = tree.orders[depth], tree.attachments[depth]
    with frozen():
        for unit in [tree.county, *tree.path[:depth]]:
            for user in tree.users[unit.id]:
                log_in(client, user)
                assert client.get(f"/orders/{order.id}").status_code == 200, unit.short_name
                resp = client.get(f"/orders/{order.id}/attachments/{attachment.id}")
                resp.close()  # the file is streamed
                assert resp.status_code == 200
                assert order.title in client.get("/orders/mine?tab=working").get_data(as_text=True), unit.short_name


def test_a_sub_unit_never_sees_up_or_sideways(client, tree):
    """The county's own order (not passed down) and the other unit's are 404 for every sub-unit."""
    with frozen():
        own = order_in(OrderState.IN_PROGRESS, tree.county, title="区政府自办工单")
        elsewhere = order_in(OrderState.IN_PROGRESS, tree.other, title="其他单位工单")
    for unit_id, users in tree.users.items():
        if unit_id in (tree.county.id, tree.other.id):
            continue
        for user in users:
            log_in(client, user)
            for order in (own, elsewhere):
                assert client.get(f"/orders/{order.id}").status_code == 404
            body = client.get("/orders/mine?tab=working").get_data(as_text=True)
            assert "区政府自办工单" not in body and "其他单位工单" not in body


def test_sub_unit_pages_of_another_tree_answer_404_and_change_nothing(client, tree):
    """A township leader attacks its sibling township, its parent, and the other unit's tree by id."""
    other_town = UnitFactory(short_name="其他区街道", parent=tree.other)
    town, town2 = tree.path[0], tree.siblings[0]
    leader = tree.users[town.id][0]
    victim_liaison = tree.users[town2.id][1]
    log_in(client, leader)
    before = {(u.id, u.short_name, u.parent_id, u.active) for u in db.session.scalars(db.select(type(town)))}
    for target in (town2, tree.county, tree.other, other_town, tree.cousin):
        for headers in ({}, HX):
            assert client.get(f"/unit/sub-units?unit_id={target.id}", headers=headers).status_code == 404
            assert client.get(f"/unit/sub-units/{target.id}/people", headers=headers).status_code == 404
            assert client.get(f"/unit/sub-units/{target.id}/edit", headers=headers).status_code == 404
            for path in ("edit", "new", "deactivate", "reactivate", "people/new"):
                resp = client.post(f"/unit/sub-units/{target.id}/{path}", headers=headers,
                                   data={"short_name": "越权", "parent_id": str(town.id), "display_order": "1",
                                         "name": "越权", "username": "yuequan", "mobile": "13900001111"})
                assert resp.status_code == 404, (target.short_name, path)
    # The sibling township's liaison through the roster pages, and a move of its own sub-unit into the
    # sibling's tree.
    for path in (f"/unit/roster/{victim_liaison.id}/deactivate", f"/unit/roster/{victim_liaison.id}/reactivate"):
        assert client.post(path, headers=HX).status_code == 404
    resp = client.post(f"/unit/sub-units/{tree.path[1].id}/edit", headers=HX,
                       data={"short_name": "老城社区", "full_name": tree.path[1].full_name,
                             "parent_id": str(town2.id), "display_order": "1"})
    assert resp.status_code in (404, 422)
    db.session.expire_all()
    after = {(u.id, u.short_name, u.parent_id, u.active) for u in db.session.scalars(db.select(type(town)))}
    assert after == before
    assert db.session.get(type(victim_liaison), victim_liaison.id).active is True
    assert not db.session.scalar(db.select(db.func.count()).where(type(victim_liaison).username == "yuequan"))
