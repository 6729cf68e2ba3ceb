"""A centre user opens 统计分析, picks August 2018, sees the totals and the charts; a unit user its own page."""
from __future__ import annotations

import re
from datetime import date, datetime

from playwright.sync_api import expect

from portal.stats.queries import Period, call_totals, unit_table

AUGUST = Period(date(2018, 8, 1), date(2018, 8, 31), datetime(2018, 9, 29, 12, 0))


def _expected(live_app):
    with live_app.app_context():
        return unit_table(AUGUST).total, call_totals(AUGUST)


def test_centre_user_opens_the_dashboard_and_sees_totals_and_charts(live_app, login, page):
    total, calls = _expected(live_app)
    login("zhongxin")
    page.get_by_test_id("nav").get_by_role("link", name="统计分析").click()
    expect(page).to_have_url(re.compile(r"/stats/"))
    expect(page.get_by_test_id("stats-totals")).to_be_visible()
    form = page.get_by_test_id("period-form")
    form.get_by_label("开始日期").fill("2018-08-01")
    form.get_by_label("结束日期").fill("2018-08-31")
    form.get_by_label("统计截止时间").fill("2018-09-29T12:00")
    form.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"start=2018-08-01"))
    expect(page.get_by_test_id("period-label")).to_contain_text("2018年8月")
    figures = page.get_by_test_id("stats-totals")
    expect(figures.locator('[data-figure="工单"]')).to_have_text(str(total.total))
    expect(figures.locator('[data-figure="来电"]')).to_have_text(str(calls.calls))
    expect(figures.locator('[data-figure="按期办结率"]')).to_have_text(total.rate_text)
    expect(page.locator("#chart-daily canvas")).to_have_count(1)
    expect(page.locator("#chart-monthly canvas")).to_have_count(1)
    expect(page.get_by_test_id("unit-table").locator("tfoot td").nth(2)).to_have_text(str(total.total))


def test_unit_user_sees_its_own_statistics(login, page):
    login("hanbin")
    expect(page.get_by_test_id("stats-home-panel")).to_contain_text("本单位办理情况")
    page.get_by_role("link", name="查看本单位统计").click()
    expect(page.get_by_test_id("unit-vs-city")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("本单位统计 · 汉滨区政府"))).to_be_visible()
