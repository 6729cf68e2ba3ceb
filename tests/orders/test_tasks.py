"""An order's tasks (协办 parts and parts passed down): the task cells, who may move them, and the services.

The expectation is written out here by hand (not read from TASK_TABLE): every task state × task action ×
actor, for a 协办 part given by the centre and for a part passed down by the lead unit. An allowed move
changes the task's state and records one order event naming the task's unit; every refused one leaves the
task, the order and the 流转记录 as they were.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.notifications.models import Notification
from portal.orders import handling, tasks
from portal.orders.enums import OrderState, TaskRole, TaskState
from portal.orders.models import OrderEvent, OrderTask
from portal.orders.records import Attachment
from portal.orders.transitions import (
    TASK_ACTIONS, TASK_COLUMNS, TASK_TABLE, ActionForbidden, allowed_actions, allowed_task_actions, transition,
    why_not,
)
from tests.factories import UnitFactory, UserFactory
from tests.orders.factories import NOW, frozen, order_in, staffed_unit

T = TaskState
S = OrderState
LEAD_DEADLINE = datetime(2026, 11, 27, 23, 59, 59)  # order_in's handle deadline (a Friday)

# (task state, action) -> (state after, who may: "owner" the task's unit, "assigner" whoever gave the task,
# "centre"), per kind of task. Written from the issue: co-units ask the centre for release; a passing
# unit accepts, sends back or withdraws what it passed down; the centre withdraws its 协办 parts.
CO = {
    (T.DISPATCHED, "sign_task"): (T.IN_PROGRESS, "owner"),
    (T.DISPATCHED, "request_release"): (T.RELEASE_REQUESTED, "owner"),
    (T.DISPATCHED, "withdraw_task"): (T.WITHDRAWN, "assigner"),
    (T.IN_PROGRESS, "answer_task"): (T.ANSWERED, "owner"),
    (T.IN_PROGRESS, "request_release"): (T.RELEASE_REQUESTED, "owner"),
    (T.IN_PROGRESS, "withdraw_task"): (T.WITHDRAWN, "assigner"),
    (T.RELEASE_REQUESTED, "approve_release"): (T.RELEASED, "centre"),
    (T.RELEASE_REQUESTED, "reject_release"): (T.IN_PROGRESS, "centre"),  # it was signed
    (T.RELEASE_REQUESTED, "withdraw_task"): (T.WITHDRAWN, "assigner"),
    (T.ANSWERED, "withdraw_task"): (T.WITHDRAWN, "assigner"),
}
DOWN = {
    (T.DISPATCHED, "sign_task"): (T.IN_PROGRESS, "owner"),
    (T.DISPATCHED, "withdraw_task"): (T.WITHDRAWN, "assigner"),
    (T.IN_PROGRESS, "answer_task"): (T.ANSWERED, "owner"),
    (T.IN_PROGRESS, "withdraw_task"): (T.WITHDRAWN, "assigner"),
    (T.ANSWERED, "accept_task"): (T.ACCEPTED, "assigner"),
    (T.ANSWERED, "send_back_task"): (T.IN_PROGRESS, "assigner"),
    (T.ANSWERED, "withdraw_task"): (T.WITHDRAWN, "assigner"),
    (T.RELEASE_REQUESTED, "withdraw_task"): (T.WITHDRAWN, "assigner"),
}
MOVES = sorted(TASK_ACTIONS - {"add_co_task", "pass_down"})
PARAMS = {"answer_task": {"opinion": "已核查，同意主办单位意见。"}, "request_release": {"reason": "不属本单位职责"},
          "send_back_task": {"reason": "答复不完整"}}


def test_the_task_table_has_exactly_the_expected_cells():
    expected = {*CO, *DOWN, (None, "add_co_task"), (None, "pass_down")}
    assert set(TASK_TABLE) == expected


def task_in(order, unit, state: TaskState, *, assigner=None, role=TaskRole.CO, parent=None,
            deadline=datetime(2026, 11, 25, 23, 59, 59)) -> OrderTask:
    """A task row in `state` (signed unless 待签收), built directly as a fixture."""
    task = OrderTask(order_id=order.id, unit_id=unit.id, assigner_unit_id=assigner.id if assigner else None,
                     parent_task_id=parent.id if parent else None, role=role, state=state, task_text="请核查噪声源",
                     dispatched_at=NOW - timedelta(minutes=50), deadline=deadline)
    if state != T.DISPATCHED:
        task.signed_at = NOW - timedelta(minutes=40)
    if state == T.ANSWERED:
        task.answered_at, task.opinion = NOW - timedelta(minutes=10), "已核查"
    db.session.add(task)
    db.session.commit()
    return task


@pytest.fixture
def city():
    """A lead unit (with a township below it), a co-unit, another unit, and the centre."""
    with frozen():
        lead, lead_leader, lead_liaison = staffed_unit()
        township = UnitFactory(parent_id=lead.id)
        town_leader = UserFactory(role=Role.UNIT_LEADER, unit=township)
        town_liaison = UserFactory(role=Role.LIAISON, unit=township)
        co, co_leader, co_liaison = staffed_unit()
        _other, _ol, other_liaison = staffed_unit()
        return dict(lead=lead, township=township, co=co, lead_leader=lead_leader, lead_liaison=lead_liaison,
                    town_leader=town_leader, town_liaison=town_liaison, co_leader=co_leader, co_liaison=co_liaison,
                    other_liaison=other_liaison, admin=UserFactory(role=Role.ADMIN, unit=None),
                    staff=UserFactory(role=Role.CENTRE_STAFF, unit=None),
                    operator=UserFactory(role=Role.OPERATOR, unit=None))


def _snapshot(task):
    return {c: getattr(task, c) for c in TASK_COLUMNS}


def _events():
    return db.session.scalar(select(func.count(OrderEvent.id)))


@pytest.mark.parametrize("kind", ["co", "down"])
@pytest.mark.parametrize("state", [s for s in TaskState])
def test_every_task_state_action_actor(city, kind, state):
    c = city
    with frozen():
        order = order_in(S.IN_PROGRESS, c["lead"])
        if kind == "co":
            unit, assigner, expected = c["co"], None, CO
            owner = {"owner leader": c["co_leader"], "owner liaison": c["co_liaison"]}
            assigners = {"admin": c["admin"], "staff": c["staff"]}
        else:
            unit, assigner, expected = c["township"], c["lead"], DOWN
            owner = {"owner leader": c["town_leader"], "owner liaison": c["town_liaison"]}
            assigners = {"lead leader": c["lead_leader"], "lead liaison": c["lead_liaison"]}
        task = task_in(order, unit, state, assigner=assigner, role=TaskRole.CO if kind == "co" else TaskRole.LEAD)
        actors = {**owner, **assigners, "admin": c["admin"], "staff": c["staff"], "operator": c["operator"],
                  "lead leader": c["lead_leader"], "lead liaison": c["lead_liaison"], "other": c["other_liaison"]}
        for action in MOVES:
            to, who = expected.get((state, action), (None, None))
            may = {"owner": set(owner), "assigner": set(assigners), "centre": {"admin", "staff"}}.get(who, set())
            for name, actor in actors.items():
                savepoint = db.session.begin_nested()
                before, events_before, order_version = _snapshot(task), _events(), order.version
                try:
                    if name in may:
                        assert action in allowed_task_actions(order, task, actor), (action, name)
                        event = transition(order, action, actor, task=task, **PARAMS.get(action, {}))
                        assert task.state == to, (action, name)
                        assert event.data["task_id"] == task.id and event.data["unit_id"] == unit.id
                        assert (event.data["task_from"], event.data["task_to"]) == (state.value, to.value)
                        assert order.version == order_version  # the lead's open forms stay valid
                    else:
                        assert action not in allowed_task_actions(order, task, actor), (action, name)
                        with pytest.raises(RuleViolation):
                            transition(order, action, actor, task=task, **PARAMS.get(action, {}))
                        assert _snapshot(task) == before, (action, name)
                        assert _events() == events_before
                finally:
                    savepoint.rollback()


def test_order_level_actions_stay_with_the_lead_unit(city):
    """A co-unit or a sub-unit sees the order but may not sign, reply, return or extend it."""
    c = city
    with frozen():
        order = order_in(S.DISPATCHED, c["lead"])
        task_in(order, c["co"], T.DISPATCHED)
        task_in(order, c["township"], T.DISPATCHED, assigner=c["lead"], role=TaskRole.LEAD)
        for actor in (c["co_liaison"], c["co_leader"], c["town_liaison"], c["town_leader"]):
            assert allowed_actions(order, actor) == set()
            for action in ("sign", "request_return", "acknowledge"):
                assert isinstance(why_not(order, action, actor), ActionForbidden)
            with pytest.raises(ActionForbidden):
                handling.sign(order, actor)
        assert order.state == S.DISPATCHED and order.signed_at is None


# --- the centre's 协办 parts ----------------------------------------------------------------------------

def _notes(user, kind):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                         Notification.kind == kind)).all()


def test_dispatch_with_co_units_gives_each_its_part_due_two_working_days_before_the_lead(city):
    c = city
    second, _l, second_liaison = staffed_unit()
    with frozen():
        order = order_in(S.PENDING)
        tasks.dispatch_with_co_units(order, c["staff"], c["lead"], co_units=[c["co"], second], co_text="请配合核查")
        db.session.commit()
    parts = tasks.order_tasks(order)
    assert [(t.unit_id, t.role, t.state, t.assigner_unit_id) for t in parts] == [
        (c["co"].id, TaskRole.CO, T.DISPATCHED, None), (second.id, TaskRole.CO, T.DISPATCHED, None)]
    # 咨询 dispatched Tuesday 11-24: lead due Friday 11-27 23:59:59; two working days before is Wednesday.
    assert order.handle_deadline == LEAD_DEADLINE
    assert {t.deadline for t in parts} == {datetime(2026, 11, 25, 23, 59, 59)}
    assert {t.task_text for t in parts} == {"请配合核查"}
    events = [e for e in order.events if e.action == "add_co_task"]
    assert [e.data["unit"] for e in events] == [c["co"].short_name, second.short_name]
    assert len(_notes(c["co_liaison"], "co_task")) == 1 and len(_notes(second_liaison, "co_task")) == 1


def test_a_co_part_due_too_late_or_given_twice_or_to_the_lead_is_refused(city):
    c = city
    with frozen():
        order = order_in(S.IN_PROGRESS, c["lead"])
        with pytest.raises(RuleViolation, match="不能晚于主办单位的办理时限"):
            tasks.add_co_task(order, c["staff"], c["co"], deadline=LEAD_DEADLINE + timedelta(seconds=1))
        with pytest.raises(RuleViolation, match="主办单位不能同时作为协办单位"):
            tasks.add_co_task(order, c["staff"], c["lead"])
        with pytest.raises(RuleViolation, match="一级承办单位"):
            tasks.add_co_task(order, c["staff"], c["township"])
        tasks.add_co_task(order, c["staff"], c["co"], deadline=LEAD_DEADLINE)  # the lead's own deadline is fine
        with pytest.raises(RuleViolation, match="已有本工单的任务"):
            tasks.add_co_task(order, c["staff"], c["co"])
        assert len(tasks.order_tasks(order)) == 1
        closed = order_in(S.CLOSED, c["lead"])
        with pytest.raises(RuleViolation, match="已办结"):
            tasks.add_co_task(closed, c["staff"], c["co"])


def test_late_in_the_clock_the_default_co_deadline_is_the_leads(city):
    c = city
    with frozen(datetime(2026, 11, 26, 9, 0)):  # Thursday: two working days before Friday is Wednesday, past
        order = order_in(S.IN_PROGRESS, c["lead"])
        part = tasks.add_co_task(order, c["staff"], c["co"])
    assert part.deadline == LEAD_DEADLINE


def test_co_units_answer_with_files_and_the_review_waits_for_them(city, app):
    c = city
    second, _l, second_liaison = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, c["lead"])
        first = tasks.add_co_task(order, c["staff"], c["co"], text="核查噪声")
        other = tasks.add_co_task(order, c["staff"], second, text="夜间巡查")
        tasks.sign_task(first, c["co_liaison"])
        photo = FileStorage(BytesIO(b"%PDF-1.4\n%test\n"), filename="现场检测.pdf", content_type="application/pdf")
        tasks.answer_task(first, c["co_liaison"], "检测结果超标，建议责令整改。", files=[photo])
        handling.submit_reply(order, c["lead_liaison"], result="已责令整改，噪声已消除。", contact_way="电话",
                              contacted_at=NOW - timedelta(minutes=5), resolved=True)
        assert order.state == S.REPLIED
        with pytest.raises(RuleViolation, match=f"尚未答复或免办：{second.short_name}"):
            handling.review_reply(order, c["staff"], True, "")
        assert order.state == S.REPLIED
        tasks.request_release(other, second_liaison, "该路段不在本单位辖区")
        tasks.decide_release(other, c["staff"], True, "同意")
        handling.review_reply(order, c["staff"], True, "办理完毕")
        db.session.commit()
    assert order.state == S.CLOSED
    assert (first.state, first.opinion, other.state) == (T.ANSWERED, "检测结果超标，建议责令整改。", T.RELEASED)
    files = db.session.scalars(select(Attachment).where(Attachment.task_id == first.id)).all()
    assert [f.original_name for f in files] == ["现场检测.pdf"]
    attach = [e for e in order.events if e.action == "attach"]
    assert attach[-1].data["unit"] == c["co"].short_name
    assert len(_notes(c["lead_liaison"], "task_answered")) == 1  # the lead sees the opinion arrive


def test_staff_may_override_the_wait_with_a_reason_and_open_parts_are_withdrawn(city):
    c = city
    with frozen():
        order = order_in(S.REPLIED, c["lead"])
        waiting = task_in(order, c["co"], T.IN_PROGRESS)
        handling.review_reply(order, c["staff"], True, "", override="协办单位逾期未答复，群众已满意")
        db.session.commit()
    assert order.state == S.CLOSED and waiting.state == T.WITHDRAWN and waiting.ended_at == NOW
    event = order.events[-1]
    assert event.data["override"] == "协办单位逾期未答复，群众已满意"
    assert event.data["ended_tasks"] == [{"task_id": waiting.id, "unit_id": c["co"].id, "unit": c["co"].short_name}]


def test_an_approved_return_withdraws_every_current_part(city):
    c = city
    with frozen():
        order = order_in(S.RETURN_REQUESTED, c["lead"])
        co = task_in(order, c["co"], T.ANSWERED)
        down = task_in(order, c["township"], T.IN_PROGRESS, assigner=c["lead"], role=TaskRole.LEAD)
        handling.centre_decide_return(order, c["staff"], True, "同意退回")
        db.session.commit()
    assert order.state == S.PENDING and (co.state, down.state) == (T.WITHDRAWN, T.WITHDRAWN)
    # Withdrawn parts no longer show the order to their units.
    from portal.web.scoping import scoped_select
    from portal.orders.models import WorkOrder

    assert db.session.scalars(scoped_select(WorkOrder, c["co_liaison"])).all() == []


# --- parts passed down ------------------------------------------------------------------------------

@pytest.fixture
def county():
    """汉滨区-like unit with two townships and a village below the first."""
    with frozen():
        county, leader, liaison = staffed_unit()
        towns = [UnitFactory(parent_id=county.id) for _ in range(2)]
        village = UnitFactory(parent_id=towns[0].id)
        people = {u.id: UserFactory(role=Role.LIAISON, unit=u) for u in (*towns, village)}
        return county, liaison, towns, village, people


def test_passing_down_to_a_township_and_a_village_and_back_up(county):
    unit, liaison, (town, town2), village, people = county
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        due = datetime(2026, 11, 26, 18, 0)
        part = tasks.pass_down(order, liaison, town, text="请核实并处理", deadline=due)
        helper = tasks.pass_down(order, liaison, town2, text="请配合", deadline=due, role=TaskRole.CO)
        assert (part.assigner_unit_id, part.role, helper.role) == (unit.id, TaskRole.LEAD, TaskRole.CO)
        tasks.sign_task(part, people[town.id])
        below = tasks.pass_down(order, people[town.id], village, text="请村委会上门", deadline=due,
                                parent_task=part)
        assert below.parent_task_id == part.id and below.assigner_unit_id == town.id
        tasks.sign_task(below, people[village.id])
        tasks.answer_task(below, people[village.id], "已上门调解")
        tasks.accept_task(below, people[town.id])
        tasks.answer_task(part, people[town.id], "已处理完毕，群众认可")
        tasks.send_back_task(part, liaison, "请补充现场照片")
        assert (part.state, part.answered_at, part.note) == (T.IN_PROGRESS, None, "请补充现场照片")
        tasks.answer_task(part, people[town.id], "已补充照片")
        tasks.accept_task(part, liaison)
        tasks.withdraw_task(helper, liaison, "无需协办")
        handling.submit_reply(order, liaison, result="经镇村核实已处理完毕。", contact_way="电话",
                              contacted_at=NOW - timedelta(minutes=5), resolved=True)
        handling.review_reply(order, staff, True, "")
        db.session.commit()
    assert (below.state, part.state, helper.state, order.state) == (T.ACCEPTED, T.ACCEPTED, T.WITHDRAWN, S.CLOSED)
    actions = [(e.action, e.data.get("unit")) for e in order.events if e.data.get("task_id")]
    assert ("pass_down", village.short_name) in actions and ("accept_task", town.short_name) in actions
    assert order.unit_id == unit.id and order.last_unit_id == unit.id  # the order still counts for the county


def test_passing_down_keeps_to_direct_sub_units_one_lead_and_the_own_deadline(county):
    unit, liaison, (town, town2), village, people = county
    outsider = UnitFactory()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        for target in (village, outsider, unit):
            with pytest.raises(RuleViolation, match="直属下级单位"):
                tasks.pass_down(order, liaison, target, text="请处理", deadline=datetime(2026, 11, 26, 18))
        with pytest.raises(RuleViolation, match="不能晚于本单位的时限"):
            tasks.pass_down(order, liaison, town, text="请处理", deadline=LEAD_DEADLINE + timedelta(minutes=1))
        with pytest.raises(RuleViolation, match="下派时限须晚于当前时间"):
            tasks.pass_down(order, liaison, town, text="请处理", deadline=NOW - timedelta(minutes=1))
        with pytest.raises(RuleViolation, match="请填写下派要求"):
            tasks.pass_down(order, liaison, town, text=" ", deadline=LEAD_DEADLINE)
        part = tasks.pass_down(order, liaison, town, text="请处理", deadline=datetime(2026, 11, 26, 18))
        with pytest.raises(RuleViolation, match="只能协办"):
            tasks.pass_down(order, liaison, town2, text="请处理", deadline=LEAD_DEADLINE)
        # The township passes its own part: only once signed, and not past its own deadline.
        with pytest.raises(RuleViolation, match="请先签收"):
            tasks.pass_down(order, people[town.id], village, text="请处理", deadline=part.deadline, parent_task=part)
        tasks.sign_task(part, people[town.id])
        with pytest.raises(RuleViolation, match="不能晚于本单位的时限"):
            tasks.pass_down(order, people[town.id], village, text="请处理", deadline=LEAD_DEADLINE, parent_task=part)
        # Only the holder passes: the township may not pass the county's order, nor the county the township's part.
        with pytest.raises(ActionForbidden):
            tasks.pass_down(order, people[town.id], village, text="请处理", deadline=part.deadline)
        with pytest.raises(ActionForbidden):
            tasks.pass_down(order, liaison, village, text="请处理", deadline=part.deadline, parent_task=part)
        assert len(tasks.order_tasks(order)) == 1


def test_an_unsigned_order_is_not_passed_down_and_withdrawing_a_part_withdraws_below_it(county):
    unit, liaison, (town, _town2), village, people = county
    with frozen():
        unsigned = order_in(S.DISPATCHED, unit)
        with pytest.raises(RuleViolation, match="签收后才能下派"):
            tasks.pass_down(unsigned, liaison, town, text="请处理", deadline=datetime(2026, 11, 26, 18))
        order = order_in(S.IN_PROGRESS, unit)
        part = tasks.pass_down(order, liaison, town, text="请处理", deadline=datetime(2026, 11, 26, 18))
        tasks.sign_task(part, people[town.id])
        below = tasks.pass_down(order, people[town.id], village, text="请处理", deadline=part.deadline,
                                parent_task=part)
        event = tasks.withdraw_task(part, liaison, "改由本单位直接办理") and order.events[-1]
        db.session.commit()
    assert (part.state, below.state) == (T.WITHDRAWN, T.WITHDRAWN)
    assert event.data["ended_tasks"] == [{"task_id": below.id, "unit_id": village.id, "unit": village.short_name}]


def test_a_task_signed_by_one_user_is_not_signed_again_by_another(city):
    c = city
    with frozen():
        order = order_in(S.IN_PROGRESS, c["lead"])
        part = task_in(order, c["co"], T.DISPATCHED)
        tasks.sign_task(part, c["co_liaison"])
        with pytest.raises(RuleViolation, match="不能执行“任务签收”"):
            tasks.sign_task(part, c["co_leader"])
    assert len([e for e in order.events if e.action == "sign_task"]) == 1


def test_the_unique_index_backs_the_check_when_two_give_one_unit_a_part_at_once(city, monkeypatch):
    """Two staff naming the same co-unit at once: the second INSERT meets the partial unique index and gets the
    Conflict message (the check before it saw no part yet), nothing doubled."""
    c = city
    with frozen():
        order = order_in(S.IN_PROGRESS, c["lead"])
        tasks.add_co_task(order, c["staff"], c["co"])
        db.session.commit()
        monkeypatch.setattr("portal.orders.transitions._has_current_task", lambda order, unit: False)
        with pytest.raises(RuleViolation, match="已被他人处理"):
            tasks.add_co_task(order, c["admin"], c["co"])
    db.session.rollback()
    assert db.session.scalar(select(func.count(OrderTask.id))) == 1


def test_the_co_part_lead_time_is_a_setting(city):
    from portal.orders.limits import current_limits, save_limits

    c = city
    with frozen():
        save_limits({**current_limits().as_values(), "co_task_days_before": 1}, c["admin"])
        order = order_in(S.IN_PROGRESS, c["lead"])
        part = tasks.add_co_task(order, c["staff"], c["co"])
    assert part.deadline == datetime(2026, 11, 26, 23, 59, 59)  # one working day before Friday's deadline
