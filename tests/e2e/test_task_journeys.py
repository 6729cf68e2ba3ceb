"""Browser journeys of orders that take more than one unit (issue 12).

- A co-handled order: the centre dispatches to a lead and two co-units, the co-units answer, the lead
  replies, the centre reviews.
- A passed-down order: the county passes it to a township (made here with the factories), the township
  answers up, the county accepts and replies, the centre reviews.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.extensions import db
from portal.orders import services
from portal.orders.enums import OrderKind
from portal.orders.enums import TaskState
from portal.orders.models import OrderTask, WorkOrder
from portal.units.models import Unit
from tests.e2e.pages import SIZES, axe_violations, layout_problems, logged_in, switch_user
from tests.factories import TEST_PASSWORD, UnitFactory, UserFactory


def _liaison(live_app, unit_name: str) -> str:
    with live_app.app_context():
        unit = db.session.scalars(select(Unit).where(Unit.short_name == unit_name)).one()
        name = db.session.scalars(select(User.username).where(User.unit_id == unit.id, User.role == Role.LIAISON,
                                                              User.active.is_(True)).order_by(User.id)).first()
        db.session.remove()
    return name


def _order(live_app, title: str, dispatch_to: str | None = None) -> tuple[int, str]:
    with live_app.app_context():
        staff = db.session.scalars(select(User).where(User.username == "zhongxin")).one()
        order = services.create_order(staff, kind=OrderKind.COMPLAINT, title=title, caller_name="吴女士",
                                      content=f"{title}：小区旁工地夜间施工噪声很大，影响休息，请尽快处理。",
                                      caller_mobile="13800139000", address="汉滨区江北路")
        if dispatch_to:
            unit = db.session.scalars(select(Unit).where(Unit.short_name == dispatch_to)).one()
            services.dispatch(order, staff, unit)
        db.session.commit()
        result = order.id, order.number
        db.session.remove()
    return result


def _switch(page, login, username, password=None):
    switch_user(page, login, username, password)


def _reply_and_review(page, login, base_url, order_id, result):
    """The lead (logged in, on the order page) replies; the centre finds nothing waiting and accepts."""
    reply = page.get_by_test_id("panel-reply")
    reply.get_by_label("办理结果").fill(result)
    reply.get_by_label("联系时间").fill("2026-01-05T09:30")
    reply.get_by_test_id("do-reply").click()
    expect(page.get_by_test_id("state")).to_have_text("待审核")
    _switch(page, login, "zhongxin")
    page.goto(f"{base_url}/orders/{order_id}")
    expect(page.get_by_test_id("co-waiting")).to_have_count(0)  # no co-unit left to answer
    page.get_by_test_id("panel-reply_review").get_by_label("审核意见").fill("同意办结")
    page.get_by_test_id("do-accept_reply").click()
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_test_id("state")).to_have_text("已办结")


def test_a_co_handled_order_from_dispatch_to_review(live_app, login, page, base_url):
    order_id, number = _order(live_app, "夜间施工噪声（主办协办）")
    login("zhongxin")
    page.goto(f"{base_url}/orders/{order_id}")
    dispatch = page.get_by_test_id("panel-dispatch")
    dispatch.get_by_placeholder("输入单位全称、简称或别名搜索").fill("环保")
    expect(dispatch.locator("#unit-options")).not_to_contain_text("汉滨区政府")  # the search has answered
    dispatch.get_by_label(re.compile("^市环保局")).check()
    with live_app.app_context():
        ids = [str(db.session.scalars(select(Unit.id).where(Unit.short_name == n)).one()) for n in ("市城管局", "市公安局")]
        db.session.remove()
    dispatch.get_by_label(re.compile("^协办单位")).select_option(ids)
    dispatch.get_by_label("协办要求").fill("请按职责核查夜间施工情况")
    dispatch.get_by_test_id("do-dispatch").click()
    expect(page.get_by_test_id("state")).to_have_text("待签收")
    panel = page.get_by_test_id("tasks-panel")
    expect(panel.locator('[data-unit="市城管局"]')).to_contain_text("待签收")
    expect(panel.locator('[data-unit="市公安局"]')).to_contain_text("请按职责核查夜间施工情况")

    for unit, opinion in (("市城管局", "已安排执法中队夜间巡查，责令工地停止夜间施工。"),
                          ("市公安局", "派出所已到场劝导，建议主办单位加强源头管理。")):
        _switch(page, login, _liaison(live_app, unit))
        page.goto(f"{base_url}/orders/mine")
        expect(page.get_by_test_id("tasks-todo")).to_contain_text(number)
        page.goto(f"{base_url}/orders/{order_id}")
        expect(page.get_by_test_id("panel-sign")).to_have_count(0)  # the order is the lead's to sign
        mine = page.locator(f'[data-testid="task"][data-unit="{unit}"]')
        mine.get_by_test_id("task-sign_task").click()
        expect(page.locator(f'[data-testid="task"][data-unit="{unit}"]')).to_have_attribute("data-task-state",
                                                                                            "in_progress")
        mine = page.locator(f'[data-testid="task"][data-unit="{unit}"]')
        mine.get_by_label("意见 / 理由").fill(opinion)
        mine.get_by_test_id("task-answer_task").click()
        expect(page.locator(f'[data-testid="task"][data-unit="{unit}"]')).to_have_attribute("data-task-state",
                                                                                            "answered")

    _switch(page, login, _liaison(live_app, "市环保局"))
    page.goto(f"{base_url}/orders/{order_id}")
    panel = page.get_by_test_id("tasks-panel")
    expect(panel).to_contain_text("已安排执法中队夜间巡查")
    expect(panel).to_contain_text("派出所已到场劝导")
    page.get_by_test_id("do-sign").click()
    expect(page.get_by_test_id("state")).to_have_text("办理中")
    _reply_and_review(page, login, base_url, order_id,
                      "会同城管、公安现场处置，工地已停止夜间施工，已电话告知来电人。")
    timeline = page.get_by_test_id("timeline")
    for step in ("增加协办单位", "任务签收", "提交意见", "办结回复", "审核通过"):
        expect(timeline).to_contain_text(step)


def test_a_passed_down_order_county_township_county_centre(live_app, login, page, base_url):
    with live_app.app_context():
        county = db.session.scalars(select(Unit).where(Unit.short_name == "汉滨区政府")).one()
        town = UnitFactory(short_name="e2e测试镇", full_name="汉滨区e2e测试镇人民政府", parent_id=county.id,
                           group=county.group)
        town_liaison = UserFactory(role=Role.LIAISON, unit=town, username="e2e_town").username
        db.session.remove()
    order_id, number = _order(live_app, "夜间施工噪声（下派）", dispatch_to="汉滨区政府")
    with live_app.app_context():
        own_deadline = db.session.get(WorkOrder, order_id).handle_deadline
        db.session.remove()

    login("hanbin")
    page.goto(f"{base_url}/orders/{order_id}")
    page.get_by_test_id("do-sign").click()
    expect(page.get_by_test_id("state")).to_have_text("办理中")
    down = page.get_by_test_id("pass-down")
    down.get_by_label("下级单位").select_option(label="e2e测试镇")
    down.get_by_label("下派时限").fill(f"{own_deadline + timedelta(days=1):%Y-%m-%dT18:00}")
    down.get_by_label("下派要求").fill("请镇上核实工地夜间施工情况并处理")
    down.get_by_test_id("do-pass-down").click()
    # Later than the county's own deadline: refused in place, what was typed kept.
    expect(page.get_by_test_id("tasks-panel")).to_contain_text("下派时限不能晚于本单位的时限")
    down = page.get_by_test_id("pass-down")
    expect(down.get_by_label("下派要求")).to_have_value("请镇上核实工地夜间施工情况并处理")
    down.get_by_label("下级单位").select_option(label="e2e测试镇")
    down.get_by_label("下派时限").fill(f"{own_deadline - timedelta(days=1):%Y-%m-%dT18:00}")
    down.get_by_test_id("do-pass-down").click()
    task = page.locator('[data-testid="task"][data-unit="e2e测试镇"]')
    expect(task).to_have_attribute("data-task-state", "dispatched")

    _switch(page, login, town_liaison, TEST_PASSWORD)
    page.goto(f"{base_url}/orders/mine")
    expect(page.get_by_test_id("tasks-todo")).to_contain_text(number)
    page.goto(f"{base_url}/orders/{order_id}")
    expect(page.get_by_test_id("panel-reply")).to_have_count(0)
    task = page.locator('[data-testid="task"][data-unit="e2e测试镇"]')
    task.get_by_test_id("task-sign_task").click()
    task = page.locator('[data-testid="task"][data-unit="e2e测试镇"]')
    expect(task).to_have_attribute("data-task-state", "in_progress")
    task.get_by_label("意见 / 理由").fill("已到现场，工地承诺晚十点后停工，来电人认可。")
    task.get_by_test_id("task-answer_task").click()
    expect(page.locator('[data-testid="task"][data-unit="e2e测试镇"]')).to_have_attribute("data-task-state",
                                                                                          "answered")

    _switch(page, login, "hanbin")
    page.goto(f"{base_url}/orders/{order_id}")
    task = page.locator('[data-testid="task"][data-unit="e2e测试镇"]')
    expect(task).to_contain_text("工地承诺晚十点后停工")
    task.get_by_test_id("task-accept_task").click()
    expect(page.locator('[data-testid="task"][data-unit="e2e测试镇"]')).to_have_attribute("data-task-state",
                                                                                          "accepted")
    _reply_and_review(page, login, base_url, order_id, "经e2e测试镇现场核实，工地已承诺晚十点后停工，已告知来电人。")
    timeline = page.get_by_test_id("timeline")
    for step in ("下派", "任务签收", "提交意见", "采纳下级答复", "办结回复", "审核通过"):
        expect(timeline).to_contain_text(step)


@pytest.mark.parametrize("size", SIZES)
def test_the_task_panels_fit_and_pass_axe(live_app, browser, base_url, size):
    """The demo's co-handled noise complaint, seen by the lead and by a co-unit, and the co-unit's task list."""
    with live_app.app_context():
        order_id = db.session.scalars(
            select(OrderTask.order_id).join(Unit, Unit.id == OrderTask.unit_id)
            .where(Unit.short_name == "市公安局", OrderTask.state == TaskState.IN_PROGRESS)).first()
        db.session.remove()
    assert order_id is not None
    for unit in ("市环保局", "市公安局"):
        with logged_in(browser, base_url, _liaison(live_app, unit), size) as page:
            problems = {}
            for path in (f"/orders/{order_id}", "/orders/mine"):
                page.goto(base_url + path)
                page.wait_for_load_state("networkidle")
                found = layout_problems(page) + axe_violations(page)
                if found:
                    problems[path] = found
            expect(page.get_by_test_id("tasks-todo")).to_have_count(1 if unit == "市公安局" else 0)
            assert problems == {}, unit
