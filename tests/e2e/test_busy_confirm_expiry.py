"""What a user sees when things are slow, irreversible or expired: a busy button that cannot be pressed
twice, a confirmation before an irreversible step, and a form kept across an expired login."""
from __future__ import annotations

import re
import time

from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.calls.models import Call
from portal.extensions import db
from portal.orders.records import Supervision
from tests.e2e.pages import fill_login
from tests.e2e.test_orders_journeys import _dispatched_order


def _count(live_app, stmt) -> int:
    with live_app.app_context():
        value = db.session.scalar(stmt)
        db.session.remove()
    return value


def test_a_slow_action_shows_it_is_busy_and_is_sent_once(live_app, login, page, base_url):
    order_id, _number = _dispatched_order(live_app, "汉滨区政府", "噪音扰民（慢网络督办）")
    login("zhongxin")
    page.goto(f"{base_url}/orders/{order_id}")

    def slow(route):
        time.sleep(2)
        route.continue_()

    page.route(re.compile(r".*/act/supervise$"), slow)
    panel = page.get_by_test_id("panel-supervise")
    panel.get_by_label("督办内容").fill("请今日内联系群众")
    button = panel.get_by_test_id("do-supervise")
    button.dblclick()
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("aria-busy", "true")
    expect(page.get_by_test_id("timeline")).to_contain_text("请今日内联系群众", timeout=15000)
    count = select(func.count(Supervision.id)).where(Supervision.order_id == order_id,
                                                     Supervision.text == "请今日内联系群众")
    assert _count(live_app, count) == 1


def test_an_expired_login_keeps_the_call_being_typed(live_app, login, page, base_url):
    login("huawu")
    page.goto(f"{base_url}/calls/")
    form = page.locator("#call-form")
    form.get_by_label("来电号码").fill("13700001234")
    form.get_by_label("来电摘要").fill("市民反映兴安路路灯不亮已一周")
    form.get_by_label("未采用知识库条目的原因").fill("知识库暂无该路段信息")
    page.context.clear_cookies()  # the login expires while the operator types

    form.get_by_role("button", name="直接答复").click()
    expect(page).to_have_url(re.compile(r"/login\?next=/calls/"))
    expect(page.get_by_text("登录已过期，请重新登录")).to_be_visible()
    expect(page.get_by_text("安全令牌")).to_have_count(0)

    fill_login(page, "huawu")
    expect(page).to_have_url(re.compile(r"/calls/$"))
    expect(page.get_by_test_id("restored-notice")).to_be_visible()
    form = page.locator("#call-form")
    expect(form.get_by_label("来电号码")).to_have_value("13700001234")
    expect(form.get_by_label("来电摘要")).to_have_value("市民反映兴安路路灯不亮已一周")
    assert _count(live_app, select(func.count(Call.id)).where(Call.mobile == "13700001234")) == 0

    form.get_by_role("button", name="直接答复").click()
    expect(page.get_by_text("来电已登记为直接答复")).to_be_visible()
    assert _count(live_app, select(func.count(Call.id)).where(Call.mobile == "13700001234")) == 1
    # Once saved, nothing is restored again.
    page.reload()
    expect(page.get_by_test_id("restored-notice")).to_have_count(0)
    expect(page.locator("#call-form").get_by_label("来电号码")).to_have_value("")


def test_an_expired_login_keeps_a_reply_being_typed(live_app, login, page, base_url):
    order_id, _number = _dispatched_order(live_app, "汉滨区政府", "积水（过期回复）")
    login("hanbin")
    page.goto(f"{base_url}/orders/{order_id}")
    page.get_by_test_id("do-sign").click()
    expect(page.get_by_test_id("state")).to_have_text("办理中")
    reply = page.get_by_test_id("panel-reply")
    reply.get_by_label("办理结果").fill("已组织疏通排水管道，积水已排除。")
    page.context.clear_cookies()
    reply.get_by_test_id("do-reply").click()
    expect(page.get_by_text("登录已过期，请重新登录")).to_be_visible()
    fill_login(page, "hanbin")
    expect(page).to_have_url(re.compile(rf"/orders/{order_id}$"))
    expect(page.get_by_test_id("panel-reply").get_by_label("办理结果")).to_have_value("已组织疏通排水管道，积水已排除。")


def test_an_empty_form_gets_inline_chinese_messages_not_browser_bubbles(login, page, base_url):
    login("huawu")
    page.goto(f"{base_url}/calls/")
    form = page.locator("#call-form")
    assert form.evaluate("f => f.noValidate")
    form.get_by_role("button", name="直接答复").click()
    expect(form.get_by_text("请填写来电号码。")).to_be_visible()
    expect(form.get_by_text("请填写来电摘要。")).to_be_visible()
    expect(form.get_by_text("请在右侧检索结果中勾选答复所依据的知识库条目")).to_be_visible()


def test_an_expired_login_keeps_a_kb_entry_being_written(login, page, base_url):
    login("hanbin")
    page.goto(f"{base_url}/knowledge/new")
    form = page.locator("#entry-form")
    form.get_by_label("标题").fill("汉滨区临时救助如何申请？")
    form.get_by_label("答复内容").fill("向户籍所在地镇（街道）提出申请，经审核后发放。")
    page.context.clear_cookies()
    form.locator("button[type=submit]").first.click()
    expect(page.get_by_text("登录已过期，请重新登录")).to_be_visible()
    fill_login(page, "hanbin")
    expect(page).to_have_url(re.compile(r"/knowledge/new$"))
    expect(page.locator("#entry-form").get_by_label("标题")).to_have_value("汉滨区临时救助如何申请？")
    expect(page.get_by_test_id("restored-notice")).to_be_visible()
