"""Each demo role logs in, sees its own navigation, and logs out; a wrong password shows Chinese."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

# username -> (role label, nav labels that must show, nav labels that must not)
ACCOUNTS = {
    "admin": ("系统管理员", ["首页", "单位管理", "用户管理"], ["本单位人员", "安全管理", "审计日志"]),
    "anquan": ("安全管理员", ["首页", "安全管理"], ["单位管理", "用户管理", "审计日志"]),
    "shenji": ("审计管理员", ["首页", "审计日志"], ["单位管理", "用户管理", "安全管理"]),
    "zhongxin": ("中心工作人员", ["首页"], ["单位管理", "用户管理", "本单位人员"]),
    "huawu": ("话务员", ["首页"], ["单位管理", "用户管理", "本单位人员"]),
    "hanbin_leader": ("单位负责人", ["首页", "本单位人员"], ["单位管理", "用户管理"]),
    "hanbin": ("联络员", ["首页"], ["单位管理", "用户管理", "本单位人员"]),
}


@pytest.mark.parametrize("username", ACCOUNTS)
def test_each_role_logs_in_sees_its_navigation_and_logs_out(login, page, username):
    role_label, shown, hidden = ACCOUNTS[username]
    login(username)
    expect(page.get_by_test_id("whoami")).to_contain_text(role_label)
    nav = page.get_by_test_id("nav")
    for label in shown:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    for label in hidden:
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_text("您已安全退出")).to_be_visible()


def test_wrong_password_shows_a_chinese_error(login, page):
    login("hanbin", "not-the-password-1")
    expect(page.get_by_text("用户名或密码错误")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login"))
