"""A unit leader keeps the roster current; the centre sees the change."""
from __future__ import annotations

from playwright.sync_api import expect


def test_unit_leader_adds_a_liaison_and_sees_it_in_the_list(login, page, base_url):
    login("hanbin_leader")
    page.get_by_test_id("nav").get_by_role("link", name="本单位人员", exact=True).click()
    roster = page.get_by_test_id("roster-table")
    expect(roster).to_contain_text("陈静")
    expect(roster).not_to_contain_text("赵磊")  # 恒口示范区's liaison is not ours

    page.get_by_role("link", name="添加联络员").click()
    page.get_by_label("姓名").fill("新联络员")
    page.get_by_label("用户名").fill("hanbin_new")
    page.get_by_label("手机号").fill("13991509999")
    page.get_by_role("button", name="添加").click()
    expect(page.get_by_test_id("password-once")).to_contain_text("联络员已添加")
    expect(page.get_by_test_id("temp-password")).not_to_be_empty()

    page.get_by_role("link", name="返回列表").click()
    row = page.get_by_test_id("roster-table").locator("tr[data-username='hanbin_new']")
    expect(row).to_contain_text("新联络员")
    expect(row).to_contain_text("在岗")
    expect(row).to_contain_text("未修改初始密码")

    # the centre sees the change in its roster log
    page.get_by_role("button", name="退出").click()
    login("zhongxin")
    expect(page.get_by_test_id("liaison-warning")).to_contain_text("市商务局")
    page.goto(f"{base_url}/admin/roster-changes")
    expect(page.get_by_test_id("roster-log-table")).to_contain_text("新增联络员 新联络员（13991509999）")
