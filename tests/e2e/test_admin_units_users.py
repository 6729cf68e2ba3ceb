"""Admin journeys: create a unit and a user (one-time password), search with htmx, first login."""
from __future__ import annotations

import re

from playwright.sync_api import expect


def test_admin_creates_a_unit_searches_it_and_is_told_about_name_clashes(login, page):
    login("admin")
    page.get_by_test_id("nav").get_by_role("link", name="单位管理", exact=True).click()
    expect(page.get_by_role("heading", name="单位管理")).to_be_visible()
    page.get_by_role("link", name="新增单位").click()
    page.get_by_label("单位全称").fill("安康市浏览器测试管理委员会")
    page.get_by_label("简称").fill("浏览器测试区")
    page.get_by_label("别名").fill("浏测区、浏览器区")
    page.get_by_label("分组").select_option("区县政府")
    page.get_by_label("排序").fill("99")
    page.get_by_label("牵头负责人").fill("测试牵头人")
    page.get_by_label("负责人手机").fill("13900009999")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已新增单位“安康市浏览器测试管理委员会”")).to_be_visible()
    table = page.get_by_test_id("unit-table")
    expect(table).to_contain_text("浏测区、浏览器区")

    # htmx search: type, the list updates without a page load, by full name, short name or alias
    search = page.get_by_placeholder("搜索全称、简称或别名")
    search.fill("浏测区")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("安康市浏览器测试管理委员会")
    search.fill("汉滨")
    expect(table).to_contain_text("安康市汉滨区人民政府")
    expect(table).not_to_contain_text("浏览器测试")
    expect(page).to_have_url(re.compile(r"q=%E6%B1%89%E6%BB%A8"))

    # a name that would make the orders import ambiguous is refused with a Chinese message
    page.get_by_role("link", name="新增单位").click()
    page.get_by_label("单位全称").fill("另一个单位全称")
    page.get_by_label("简称").fill("汉滨区政府")
    page.get_by_label("排序").fill("100")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("简称“汉滨区政府”已是单位“安康市汉滨区人民政府”的简称，名称不能重复。")).to_be_visible()
    expect(page.get_by_label("单位全称")).to_have_value("另一个单位全称")


def test_admin_creates_a_liaison_who_must_change_the_one_time_password(login, page):
    login("admin")
    page.get_by_test_id("nav").get_by_role("link", name="用户管理", exact=True).click()
    page.get_by_role("link", name="新增用户").click()
    page.get_by_label("用户名").fill("e2e_liaison")
    page.get_by_label("姓名").fill("浏览器联络员")
    page.get_by_label("手机号").fill("13700001234")
    page.get_by_label("角色").select_option(label="联络员")
    page.get_by_label("所属单位").select_option(label="市人社局")
    page.get_by_role("button", name="创建账号").click()
    expect(page.get_by_test_id("password-once")).to_contain_text("账号已创建")
    password = page.get_by_test_id("temp-password").inner_text().strip()
    assert len(password) >= 10
    expect(page.get_by_text("临时密码只显示这一次")).to_be_visible()

    page.get_by_role("link", name="返回列表").click()
    page.get_by_placeholder("搜索用户名、姓名或手机号").fill("e2e_liaison")
    row = page.get_by_test_id("user-table").locator("tr[data-username='e2e_liaison']")
    expect(row).to_contain_text("待改密码")
    expect(page.get_by_test_id("user-table")).not_to_contain_text(password)

    page.get_by_role("button", name="退出").click()
    login("e2e_liaison", password)
    expect(page).to_have_url(re.compile(r"/password"))
    expect(page.get_by_text("首次登录或密码已重置，请先修改密码。")).to_be_visible()
