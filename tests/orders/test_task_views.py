"""The 协办单位 / 下级办理 panel through the test client: who sees what, who may act, refusals that lose nothing."""
from __future__ import annotations

import io
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.extensions import db
from portal.orders import tasks
from portal.orders.enums import OrderState, TaskRole, TaskState
from portal.orders.models import OrderEvent, OrderTask
from portal.orders.records import Attachment
from tests.factories import UnitFactory, UserFactory
from tests.orders.factories import NOW, frozen, order_in, staffed_unit

S, T = OrderState, TaskState
HX = {"HX-Request": "true"}


def _events(order):
    return db.session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order.id))


def _co_order(**fields):
    lead, _leader, lead_liaison = staffed_unit()
    co, _co_leader, co_liaison = staffed_unit()
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    order = order_in(S.DISPATCHED, lead, **fields)
    task = tasks.add_co_task(order, staff, co, text="请核查噪声源")
    db.session.commit()
    return order, task, lead_liaison, co, co_liaison


def test_a_co_unit_posting_order_actions_is_refused_and_nothing_changes(client, login_as):
    with frozen():
        order, _task, _ll, co, co_liaison = _co_order()
        login_as(Role.LIAISON, unit=co)
        version, events = order.version, _events(order)
        for action, data in (("sign", {}), ("reply", {"result": "已处理完毕的结果", "contact_way": "电话",
                                                      "contacted_at": "2026-11-24T09:00", "resolved": "1"}),
                             ("request_return", {"reason": "不归我们管", "duty_basis": "三定"})):
            resp = client.post(f"/orders/{order.id}/act/{action}", data={"version": version, **data}, headers=HX)
            assert resp.status_code == 403, action
        db.session.expire_all()
        assert (order.state, order.signed_at, order.version) == (S.DISPATCHED, None, version)
        assert _events(order) == events
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'data-testid="panel-sign"' not in page and 'data-testid="panel-reply"' not in page
    assert 'data-testid="task-sign_task"' in page  # its own part it may sign


def test_a_co_unit_sees_a_confidential_order_without_the_caller(client, login_as):
    with frozen():
        order, _task, _ll, co, _cl = _co_order(confidential=True, caller_name="李女士", caller_mobile="13700001111")
        login_as(Role.LIAISON, unit=co)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "保密工单，不显示来电人信息" in page
    assert "李女士" not in page and "13700001111" not in page and "1370000" not in page


def test_a_co_unit_signs_and_answers_with_a_file_and_the_lead_sees_the_opinion(client, login_as):
    with frozen():
        order, task, lead_liaison, co, _cl = _co_order()
        login_as(Role.LIAISON, unit=co)
        resp = client.post(f"/orders/{order.id}/tasks/{task.id}/sign_task", data={"version": task.version}, headers=HX)
        assert resp.status_code == 200 and resp.headers["HX-Redirect"].endswith(f"/orders/{order.id}")
        db.session.expire_all()
        empty = client.post(f"/orders/{order.id}/tasks/{task.id}/answer_task", data={"version": task.version},
                            headers=HX)
        assert empty.status_code == 422 and "请填写意见。" in empty.get_data(as_text=True)
        pdf = (io.BytesIO(b"%PDF-1.4\n%demo\n"), "检测报告.pdf")
        resp = client.post(f"/orders/{order.id}/tasks/{task.id}/answer_task", headers=HX,
                           data={"version": task.version, "text": "夜间噪声 62 分贝，超标。", "files": pdf},
                           content_type="multipart/form-data")
        assert resp.status_code == 200
        db.session.expire_all()
        assert (task.state, task.opinion) == (T.ANSWERED, "夜间噪声 62 分贝，超标。")
        assert db.session.scalar(select(Attachment.original_name).where(Attachment.task_id == task.id)) == "检测报告.pdf"
        login_as(Role.LIAISON, unit=order.unit)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "夜间噪声 62 分贝，超标。" in page and "检测报告.pdf" in page and 'data-task-state="answered"' in page


def test_a_stale_task_form_gives_409_and_keeps_nothing_twice(client, login_as):
    with frozen():
        order, task, _ll, co, _cl = _co_order()
        login_as(Role.LIAISON, unit=co)
        old = task.version
        assert client.post(f"/orders/{order.id}/tasks/{task.id}/sign_task", data={"version": old},
                           headers=HX).status_code == 200
        again = client.post(f"/orders/{order.id}/tasks/{task.id}/request_release",
                            data={"version": old, "text": "不属本单位"}, headers=HX)
        assert again.status_code == 409 and "已被他人处理" in again.get_data(as_text=True)
        db.session.expire_all()
    assert task.state == T.IN_PROGRESS


def test_the_centre_adds_a_co_unit_and_a_late_deadline_is_refused_with_the_input_kept(client, login_as):
    with frozen():
        lead, _l, _li = staffed_unit()
        co = UnitFactory()
        order = order_in(S.IN_PROGRESS, lead)
        login_as(Role.CENTRE_STAFF)
        late = client.post(f"/orders/{order.id}/tasks/co", headers=HX, data={
            "unit_id": co.id, "deadline": "2026-11-28T10:00", "text": "请协助夜间巡查"})
        body = late.get_data(as_text=True)
        assert late.status_code == 422 and "协办时限不能晚于主办单位的办理时限" in body and "请协助夜间巡查" in body
        assert db.session.scalar(select(func.count(OrderTask.id))) == 0
        ok = client.post(f"/orders/{order.id}/tasks/co", headers=HX, data={"unit_id": co.id, "text": "请协助夜间巡查"})
        assert ok.status_code == 200
    part = db.session.scalars(select(OrderTask)).one()
    assert (part.unit_id, part.deadline, part.task_text) == (co.id, datetime(2026, 11, 25, 23, 59, 59), "请协助夜间巡查")


def test_a_unit_passes_down_and_siblings_and_other_units_get_404(client, login_as):
    with frozen():
        county, _l, liaison = staffed_unit()
        town, sibling = UnitFactory(parent_id=county.id), UnitFactory(parent_id=county.id)
        order = order_in(S.IN_PROGRESS, county)
        login_as(Role.LIAISON, unit=county)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
        assert 'data-testid="pass-down"' in page and town.short_name in page
        resp = client.post(f"/orders/{order.id}/tasks/down", headers=HX, data={
            "unit_id": town.id, "role": "lead", "deadline": "2026-11-26T18:00", "text": "请镇上核实处理"})
        assert resp.status_code == 200
        part = db.session.scalars(select(OrderTask)).one()
        assert (part.unit_id, part.assigner_unit_id, part.role) == (town.id, county.id, TaskRole.LEAD)
        login_as(Role.LIAISON, unit=sibling)
        assert client.get(f"/orders/{order.id}").status_code == 404
        assert client.post(f"/orders/{order.id}/tasks/{part.id}/sign_task", data={"version": part.version},
                           headers=HX).status_code == 404
        login_as(Role.LIAISON, unit=town)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
        assert "请镇上核实处理" in page and 'data-testid="task-sign_task"' in page
        # The township may not accept its own answer, nor pass the county's order.
        forbidden = client.post(f"/orders/{order.id}/tasks/down", headers=HX, data={
            "unit_id": town.id, "deadline": "2026-11-26T18:00", "text": "x"})
        assert forbidden.status_code == 403
    assert db.session.scalar(select(func.count(OrderTask.id))) == 1


def test_the_review_waits_for_co_units_unless_staff_give_a_reason(client, login_as):
    with frozen():
        lead, _l, _li = staffed_unit()
        co = UnitFactory()
        order = order_in(S.REPLIED, lead)
        db.session.add(OrderTask(order_id=order.id, unit_id=co.id, role=TaskRole.CO, state=T.IN_PROGRESS,
                                 dispatched_at=NOW - timedelta(hours=1), deadline=NOW + timedelta(days=1)))
        db.session.commit()
        login_as(Role.CENTRE_STAFF)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
        assert 'data-testid="co-waiting"' in page and co.short_name in page
        refused = client.post(f"/orders/{order.id}/act/accept_reply", data={"version": order.version}, headers=HX)
        assert refused.status_code == 422 and "协办单位尚未答复或免办" in refused.get_data(as_text=True)
        db.session.expire_all()
        assert order.state == S.REPLIED
        ok = client.post(f"/orders/{order.id}/act/accept_reply", headers=HX,
                         data={"version": order.version, "override": "协办单位已电话反馈，不影响办结"})
        assert ok.status_code == 200
        db.session.expire_all()
    assert order.state == S.CLOSED
    assert order.events[-1].data["override"] == "协办单位已电话反馈，不影响办结"


def test_the_unit_list_and_home_page_show_its_tasks_and_reminders_reach_the_task_unit(client, login_as):
    from portal.notifications.models import Notification
    from portal.orders.reminders import send_deadline_reminders

    with frozen():
        order, task, lead_liaison, co, co_liaison = _co_order(title="夜间施工噪声扰民")
        login_as(Role.LIAISON, unit=co)
        page = client.get("/orders/mine").get_data(as_text=True)
        assert 'data-testid="tasks-todo"' in page and "夜间施工噪声扰民" in page and "协办（中心派）" in page
        home = client.get("/").get_data(as_text=True)
        assert 'data-testid="todo-tasks"' in home
        assert '<span class="todo-count">1</span>\n          <span class="todo-label">协办/下派任务' in home
    # The co-part is due Wednesday 23:59:59: a reminder on Wednesday morning, once.
    with frozen(datetime(2026, 11, 25, 9, 0)):
        send_deadline_reminders()
        send_deadline_reminders()
    sent = db.session.scalars(select(Notification).where(Notification.kind == "task_due")).all()
    co_users = db.session.scalars(select(User.id).where(User.unit_id == co.id)).all()
    assert sorted(n.user_id for n in sent) == sorted(co_users) and co_liaison.id in co_users
    assert lead_liaison.id not in [n.user_id for n in sent]


def test_the_centre_dispatches_to_a_lead_and_co_units_from_the_dispatch_panel(client, login_as):
    with frozen():
        lead, first, second = UnitFactory(), UnitFactory(), UnitFactory()
        order = order_in(S.PENDING)
        login_as(Role.CENTRE_STAFF)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
        assert 'name="co_unit_ids"' in page
        resp = client.post(f"/orders/{order.id}/act/dispatch", headers=HX, data={
            "version": order.version, "unit_id": lead.id, "co_unit_ids": [first.id, second.id], "co_text": "请配合"})
        assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
        refused = client.post(f"/orders/{order_in(S.PENDING).id}/act/dispatch", headers=HX, data={
            "version": 1, "unit_id": lead.id, "co_unit_ids": [lead.id]})
        assert refused.status_code == 422 and "主办单位不能同时作为协办单位" in refused.get_data(as_text=True)
    parts = db.session.scalars(select(OrderTask).order_by(OrderTask.id)).all()
    assert [(p.order_id, p.unit_id, p.task_text) for p in parts] == [(order.id, first.id, "请配合"),
                                                                      (order.id, second.id, "请配合")]
