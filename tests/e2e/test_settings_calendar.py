"""An admin sees which years lack a holiday arrangement, enters one, and edits a time limit."""
from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from portal.calendar.workdays import package_knows
from portal.clock import now


def test_admin_enters_a_year_and_the_warning_goes(login, page, base_url, live_app):
    year = next(y for y in range(now().year, now().year + 6) if not package_knows(y))
    today = now().date()
    must_warn = year == today.year or (year == today.year + 1 and (date(year, 1, 1) - today).days <= 60)
    login("admin")
    warning = page.get_by_test_id("calendar-warning")
    expect(warning.filter(has_text=f"{year}")).to_have_count(1 if must_warn else 0)

    page.goto(f"{base_url}/settings/")
    page.get_by_role("link", name=f"{year} 年", exact=True).first.click()
    expect(page).to_have_url(re.compile(rf"/settings/calendar/{year}$"))
    page.get_by_label("放假安排").fill(f"{year}-01-01 至 {year}-01-03 元旦\n{year}-10-01 至 {year}-11-15 国庆节")
    page.get_by_role("button", name=f"保存{year}年安排").click()
    expect(page.get_by_test_id("year-form")).to_contain_text("第 2 行：一段假期不超过 31 天。")
    expect(page.get_by_label("放假安排")).to_have_value(re.compile("国庆节"))  # nothing typed is lost
    page.get_by_label("放假安排").fill(f"{year}-01-01 至 {year}-01-03 元旦\n{year}-10-01 至 {year}-10-07 国庆节")
    page.get_by_label("调休上班日").fill(f"{year}-10-09 国庆调休")
    page.get_by_role("button", name=f"保存{year}年安排").click()
    expect(page).to_have_url(re.compile(r"/settings/$"))
    expect(page.get_by_text(f"{year}年节假日安排已保存")).to_be_visible()
    expect(page.get_by_test_id(f"arrangement-{year}")).to_contain_text("国庆节")
    expect(page.get_by_test_id("calendar-warning").filter(has_text=f"{year}")).to_have_count(0)

    limits = page.get_by_test_id("time-limits")
    limits.get_by_label("咨询").fill("0")
    limits.get_by_role("button", name="保存时限").click()
    expect(page.get_by_text("咨询须为 1–60 之间的整数（工作日）。")).to_be_visible()
    page.get_by_test_id("time-limits").get_by_label("咨询").fill("3")
    page.get_by_test_id("time-limits").get_by_role("button", name="保存时限").click()
    expect(page.get_by_text("已保存，时限没有变化。")).to_be_visible()
