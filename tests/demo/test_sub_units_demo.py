"""Demo steps 下级单位 and 下派工单: 汉滨区政府's townships and a village, 市人社局's sections, a liaison each
(listed in the README), and current orders passed down in every task state through the one transition."""
from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from argon2 import PasswordHasher
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.clock import now
from portal.demo.accounts import DEMO_PASSWORD
from portal.demo.loader import STEPS
from portal.demo.sub_units import ACCOUNTS
from portal.extensions import db
from portal.orders.enums import TaskState
from portal.orders.models import OrderEvent, OrderTask
from portal.stats.subunits import overdue_sub_unit_tasks
from portal.units.models import Unit
from portal.units.queries import first_level_units, sub_tree
from tests.demo.test_orders_demo import TODAY

README = Path(__file__).resolve().parents[2] / "README.md"
WANTED = ("单位", "账号", "工单", "下级单位", "下派工单")


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setattr("portal.auth.models._hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    with time_machine.travel(TODAY, tick=False):
        for label, step in STEPS:
            if label in WANTED:
                step()
        db.session.commit()


def test_hanbin_has_its_townships_a_village_and_the_bureau_its_sections(demo):
    units = {u.short_name: u for u in db.session.scalars(select(Unit))}
    hanbin = [(n.unit.short_name, n.depth) for n in sub_tree(units["汉滨区政府"])]
    towns = [name for name, depth in hanbin if depth == 1]
    assert len(towns) >= 8 and {"老城街道", "新城街道", "江北街道", "建民街道", "五里镇"} <= set(towns)
    assert ("五里村", 2) in hanbin
    assert "恒口镇" not in towns  # 恒口示范区 is a unit of its own
    assert {n.unit.short_name for n in sub_tree(units["市人社局"])} == {"就业促进科", "养老保险科", "劳动关系科"}
    assert len(first_level_units()) == len([u for u in units.values() if u.parent_id is None])
    for node in sub_tree(units["汉滨区政府"]) + sub_tree(units["市人社局"]):
        liaisons = [u for u in node.unit.users if u.role == Role.LIAISON and u.active and u.mobile]
        assert liaisons, node.unit.short_name


def test_every_sub_unit_account_is_in_the_readme_and_logs_in_with_the_demo_password(demo):
    readme = README.read_text(encoding="utf-8")
    for username, _name, unit, role, _mobile in ACCOUNTS:
        assert f"`{username}`" in readme and unit in readme
        user = db.session.scalar(select(User).where(User.username == username))
        assert user.role == role and user.check_password(DEMO_PASSWORD) and not user.must_change_password


def test_passed_down_orders_in_every_state_through_the_transition(demo):
    # The parts passed down (the centre's 协办 parts of the demo have no assigning unit).
    tasks = list(db.session.scalars(select(OrderTask).where(OrderTask.assigner_unit_id.is_not(None))))
    assert {t.state for t in tasks} >= {TaskState.DISPATCHED, TaskState.IN_PROGRESS, TaskState.ANSWERED,
                                        TaskState.ACCEPTED, TaskState.WITHDRAWN}
    events = set(db.session.scalars(select(OrderEvent.action)))
    assert {"pass_down", "sign_task", "answer_task", "accept_task", "send_back_task", "withdraw_task"} <= events
    assert sum(1 for t in tasks if t.parent_task_id is not None and t.unit.short_name == "五里村") == 1
    assert any(t.unit.parent.short_name == "市人社局" for t in tasks)
    assert all(t.unit.parent_id == t.assigner_unit_id for t in tasks)
    passed = len(list(db.session.scalars(select(OrderEvent).where(OrderEvent.action == "pass_down"))))
    assert passed == len(tasks)
    leader = db.session.scalar(select(User).where(User.username == "hanbin_leader"))
    with time_machine.travel(TODAY, tick=False):
        late, count = overdue_sub_unit_tasks(leader, now())
    assert count >= 1 and late[0].unit.short_name == "洪山镇"
    assert all(e.at <= TODAY.replace(tzinfo=None) for t in tasks for e in t.order.events)
