"""Each role's home page is its to-do list, on a desk and on a phone: the tiles name the work, and a tile
opens the list it counts."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import SIZES, logged_in

TODO = {
    "zhongxin": ["待派单", "退单审核", "延期审核", "回复审核", "已逾期", "问题工单"],
    # 汉滨区政府 passed demo orders down to its townships: answers wait for it to accept (协办/下派任务).
    "hanbin_leader": ["待审批退单", "待签发回复", "待签收", "即将到期", "已逾期", "督办", "协办/下派任务"],
    "hanbin": ["待签收", "即将到期", "已逾期", "督办", "协办/下派任务"],
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("username", TODO)
def test_the_home_page_lists_the_work_and_each_tile_opens_its_list(browser, base_url, username, size):
    with logged_in(browser, base_url, username, size) as page:
        todo = page.get_by_test_id("home-todo")
        expect(todo.locator(".todo-label")).to_have_text(TODO[username])
        tile = todo.locator("a.todo-item").filter(has_text="已逾期")
        count = int(tile.locator(".todo-count").inner_text())
        assert count > 0  # the demo has overdue orders for the centre and for 汉滨区政府
        tile.click()
        expect(page.locator(".nav-tabs .nav-link.active")).to_contain_text("已逾期")
        expect(page.locator(".nav-tabs .nav-link.active .badge")).to_have_text(str(count))


@pytest.mark.parametrize("size", SIZES)
def test_the_operator_home_shows_todays_calls_and_waiting_orders(browser, base_url, size):
    with logged_in(browser, base_url, "huawu", size) as page:
        calls = page.get_by_test_id("home-calls")
        expect(calls).to_contain_text("今日来电")
        expect(calls).to_contain_text("待建工单")
        waiting = page.get_by_test_id("waiting-call").filter(has_text="兴安路中段路灯不亮")
        expect(waiting).to_be_visible()  # the demo's call whose order form was left unsaved
        waiting.get_by_role("link", name="继续建单").click()
        expect(page).to_have_url(re.compile(r"/orders/new\?call_id=\d+$"))  # no number or words in the URL
        expect(page.get_by_label("联系电话")).to_have_value("13991520408")
        expect(page.get_by_label("诉求内容")).to_have_value("市民反映兴安路中段路灯不亮已一周，夜间出行不便")
