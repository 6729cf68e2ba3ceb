"""Each role's home page is its to-do list, on a desk and on a phone: the tiles name the work, and a tile
opens the list it counts."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.demo.accounts import DEMO_PASSWORD
from tests.e2e.pages import SIZES

TODO = {
    "zhongxin": ["待派单", "退单审核", "延期审核", "回复审核", "已逾期"],
    "hanbin_leader": ["待审批退单", "待签收", "即将到期", "已逾期", "督办"],
    "hanbin": ["待签收", "即将到期", "已逾期", "督办"],
}


def _login(page, base_url, username):
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("username", TODO)
def test_the_home_page_lists_the_work_and_each_tile_opens_its_list(browser, base_url, username, size):
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, base_url, username)
        todo = page.get_by_test_id("home-todo")
        expect(todo.locator(".todo-label")).to_have_text(TODO[username])
        tile = todo.locator("a.todo-item").filter(has_text="已逾期")
        count = int(tile.locator(".todo-count").inner_text())
        assert count > 0  # the demo has overdue orders for the centre and for 汉滨区政府
        tile.click()
        expect(page.locator(".nav-tabs .nav-link.active")).to_contain_text("已逾期")
        expect(page.locator(".nav-tabs .nav-link.active .badge")).to_have_text(str(count))
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_operator_home_shows_todays_calls_and_waiting_orders(browser, base_url, size):
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, base_url, "huawu")
        calls = page.get_by_test_id("home-calls")
        expect(calls).to_contain_text("今日来电")
        expect(calls).to_contain_text("待建工单")
        expect(page.get_by_test_id("waiting-calls")).to_be_visible()
        calls.get_by_role("link", name="登记来电").click()
        expect(page.locator("#call-form")).to_be_visible()
    finally:
        context.close()
