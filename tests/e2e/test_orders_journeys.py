"""Browser journeys of the order lifecycle with the demo accounts.

Each test registers and dispatches its own order through the services against the live app, so it does
not depend on which demo orders exist.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.orders import services
from portal.orders.enums import OrderKind
from portal.units.models import Unit
from tests.e2e.pages import switch_user


def _dispatched_order(live_app, unit_name: str, title: str) -> tuple[int, str]:
    with live_app.app_context():
        staff = db.session.scalars(select(User).where(User.username == "zhongxin")).one()
        unit = db.session.scalars(select(Unit).where(Unit.short_name == unit_name)).one()
        order = services.create_order(staff, kind=OrderKind.HELP, title=title, caller_name="周先生",
                                      content=f"{title}：小区门口路灯损坏多日，夜间出行不便，请尽快修复。",
                                      caller_mobile="13800138000", address="汉滨区兴安路")
        services.dispatch(order, staff, unit)
        db.session.commit()
        result = order.id, order.number
        db.session.remove()
    return result


def _switch(page, login, username, password=None):
    switch_user(page, login, username, password)


def test_liaison_signs_requests_an_extension_and_replies_with_an_attachment(live_app, login, page, base_url):
    order_id, number = _dispatched_order(live_app, "汉滨区政府", "路灯损坏（签收延期回复）")
    login("hanbin")
    page.get_by_test_id("nav").get_by_role("link", name="我的工单", exact=True).click()
    page.get_by_test_id("tab-to_sign").click()
    expect(page.get_by_test_id("order-table")).to_contain_text(number)
    page.get_by_role("link", name=number).click()
    expect(page.get_by_test_id("caller-mobile")).to_contain_text("138****8000")

    page.get_by_test_id("do-sign").click()
    expect(page.get_by_test_id("state")).to_have_text("办理中")

    extension = page.get_by_test_id("panel-request_extension")
    extension.get_by_label("延期理由").fill("需协调供电公司更换线路")
    extension.get_by_label("延期工作日数").fill("3")
    extension.get_by_test_id("do-request_extension").click()
    expect(page.get_by_test_id("state")).to_have_text("延期审核中")
    expect(page.get_by_test_id("pending-extension")).to_contain_text("3 个工作日")

    reply = page.get_by_test_id("panel-reply")
    reply.get_by_label("办理结果").fill("已协调供电公司更换线路，路灯恢复照明，并电话告知群众。")
    reply.get_by_label("联系时间").fill("2026-01-05T09:30")
    reply.get_by_label("附件").set_input_files(files=[{
        "name": "现场照片.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 128}])
    reply.get_by_test_id("do-reply").click()
    expect(page.get_by_test_id("state")).to_have_text("待审核")
    expect(page.get_by_test_id("attachments")).to_contain_text("现场照片.png")
    expect(page.get_by_test_id("reply")).to_contain_text("路灯恢复照明")
    timeline = page.get_by_test_id("timeline")
    for step in ("签收", "申请延期", "上传附件", "办结回复"):
        expect(timeline).to_contain_text(step)


def test_a_bad_reply_shows_chinese_errors_in_place(live_app, login, page, base_url):
    order_id, number = _dispatched_order(live_app, "汉滨区政府", "路灯损坏（表单校验）")
    login("hanbin")
    page.goto(f"{base_url}/orders/{order_id}")
    page.get_by_test_id("do-sign").click()
    expect(page.get_by_test_id("state")).to_have_text("办理中")
    page.get_by_test_id("panel-reply").get_by_test_id("do-reply").click()
    expect(page.get_by_test_id("panel-reply")).to_contain_text("请填写办理结果。")
    expect(page.get_by_test_id("state")).to_have_text("办理中")


def test_return_goes_liaison_leader_centre_and_is_redispatched(live_app, login, page, base_url):
    order_id, number = _dispatched_order(live_app, "汉滨区政府", "占道经营（退单）")
    login("hanbin")
    page.goto(f"{base_url}/orders/{order_id}")
    panel = page.get_by_test_id("panel-request_return")
    panel.get_by_label("退单理由").fill("占道经营属城管执法范围，不属区政府直接办理")
    panel.get_by_label("职责依据").fill("《安康市城市管理综合执法办法》第五条")
    panel.get_by_test_id("do-request_return").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("确定提交退单申请")
    dialog.get_by_role("button", name="取消").click()  # cancelled: nothing is sent
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("pending-return")).to_have_count(0)
    panel.get_by_test_id("do-request_return").click()
    dialog.get_by_test_id("confirm-yes").click()
    expect(page.get_by_test_id("pending-return")).to_contain_text("待单位负责人审批")

    _switch(page, login, "hanbin_leader")
    expect(page.get_by_test_id("notifications-count")).to_be_visible()
    page.goto(f"{base_url}/orders/{order_id}")
    page.get_by_test_id("panel-leader_return").get_by_label("审核意见").fill("同意退回")
    page.get_by_test_id("do-leader_approve_return").click()
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_test_id("pending-return")).to_contain_text("待中心审核")

    _switch(page, login, "zhongxin")
    page.get_by_test_id("nav").get_by_role("link", name="工单中心", exact=True).click()
    page.get_by_test_id("tab-returns").click()
    expect(page.get_by_test_id("order-table")).to_contain_text(number)
    page.get_by_role("link", name=number).click()
    page.get_by_test_id("panel-return_review").get_by_label("审核意见").fill("同意，改派恒口示范区")
    page.get_by_test_id("do-approve_return").click()
    expect(page.locator("#confirm-dialog")).to_contain_text("同意退单")
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_test_id("state")).to_have_text("待派单")

    dispatch = page.get_by_test_id("panel-dispatch")
    dispatch.get_by_placeholder("输入单位全称、简称或别名搜索").fill("恒口")
    expect(dispatch.locator("#unit-options")).not_to_contain_text("汉滨区政府")
    dispatch.get_by_label(re.compile("^恒口示范区")).check()
    dispatch.get_by_test_id("do-dispatch").click()
    expect(page.get_by_test_id("state")).to_have_text("待签收")
    expect(page.get_by_test_id("timeline")).to_contain_text("派至恒口示范区")

    _switch(page, login, "hengkou")
    page.goto(f"{base_url}/orders/mine?tab=to_sign")
    expect(page.get_by_test_id("order-table")).to_contain_text(number)
    _switch(page, login, "hanbin")
    response = page.goto(f"{base_url}/orders/{order_id}")
    assert response.status == 404


def test_centre_supervises_and_the_unit_sees_and_acknowledges(live_app, login, page, base_url):
    order_id, number = _dispatched_order(live_app, "汉滨区政府", "噪音扰民（督办）")
    login("zhongxin")
    page.goto(f"{base_url}/orders/{order_id}")
    panel = page.get_by_test_id("panel-supervise")
    panel.get_by_label("督办内容").fill("群众多次来电，请今日内签收并联系群众")
    panel.get_by_test_id("do-supervise").click()
    expect(page.get_by_test_id("supervisions")).to_contain_text("请今日内签收并联系群众")

    _switch(page, login, "hanbin")
    expect(page.get_by_test_id("notifications-count")).to_be_visible()
    page.get_by_test_id("notifications-badge").click()
    item = page.get_by_test_id("notification-list").locator("li", has_text="请今日内签收并联系群众").first
    item.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(rf"/orders/{order_id}$"))
    expect(page.get_by_test_id("supervision-alert")).to_contain_text("请今日内签收并联系群众")
    page.get_by_test_id("do-acknowledge").click()
    expect(page.get_by_test_id("supervision-alert")).to_have_count(0)
    expect(page.get_by_test_id("supervisions")).to_contain_text("已阅")


def test_operator_creates_an_order_and_sees_possible_duplicates_while_typing(live_app, login, page, base_url):
    _order_id, number = _dispatched_order(live_app, "汉滨区政府", "路灯损坏（重复件原单）")
    login("huawu")
    page.goto(f"{base_url}/orders/new")
    page.get_by_label("诉求类型").select_option(label="求助")
    page.get_by_label("联系电话").fill("13800138000")
    expect(page.get_by_test_id("duplicates")).to_contain_text(number)
    expect(page.get_by_test_id("duplicates")).to_contain_text("同一来电号码")
    page.get_by_label("诉求内容").fill("兴安路路灯还是不亮，之前反映过，请尽快处理。")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_test_id("state")).to_have_text("待派单")
    expect(page.get_by_test_id("caller-mobile")).to_have_text("13800138000")
    expect(page.get_by_test_id("actions")).to_contain_text("当前没有您可执行的操作")  # operators: read-only
