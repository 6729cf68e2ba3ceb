"""An appeal end to end in the browser: the liaison files it, the unit leader approves, the centre upholds,
and the unit's own dashboard counts the order on time from then on."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.orders.models import WorkOrder
from tests.e2e.pages import switch_user

TITLE = "咨询城乡居民医保缴费档次及报销比例"  # the demo's late order of 汉滨区政府, its appeal window open


def _switch(page, login, username, password=None):
    switch_user(page, login, username, password)


def _figures(page, base_url, day: str) -> tuple[int, int]:
    page.goto(f"{base_url}/stats/unit?start={day}&end={day}")
    table = page.get_by_test_id("unit-vs-city")
    return (int(table.locator('[data-own="按期办结"]').inner_text()),
            int(table.locator('[data-own="逾期办结"]').inner_text()))


def test_liaison_files_leader_approves_centre_upholds_and_the_figure_changes(live_app, login, page, base_url):
    with live_app.app_context():
        order = db.session.scalars(select(WorkOrder).where(WorkOrder.title == TITLE)).one()
        order_id, day = order.id, f"{order.accepted_at:%Y-%m-%d}"
        db.session.remove()

    login("hanbin")
    on_time, late = _figures(page, base_url, day)
    assert late >= 1
    page.goto(f"{base_url}/orders/{order_id}")
    page.get_by_test_id("file-appeal").click()
    form = page.get_by_test_id("appeal-form")
    form.get_by_label("逾期办结", exact=False).check()
    form.get_by_label("申诉理由").fill("群众工作日无法接听电话，约定在时限后的周末答复，有通话记录为证。")
    form.get_by_test_id("submit-appeal").click()
    expect(page.get_by_test_id("appeal-status")).to_have_text("待单位负责人审批")

    _switch(page, login, "hanbin_leader")
    page.get_by_test_id("todo-appeals").click()
    page.get_by_test_id("appeal-row").filter(has_text="逾期办结").first.get_by_role("link", name="查看").click()
    page.get_by_test_id("appeal-decide").get_by_label("意见").fill("情况属实，同意申诉。")
    page.get_by_test_id("do-leader_approve").click()
    expect(page.get_by_test_id("appeal-status")).to_have_text("待中心审核")
    appeal_url = page.url

    _switch(page, login, "zhongxin")
    page.get_by_test_id("nav").get_by_role("link", name="申诉", exact=True).click()
    expect(page.get_by_test_id("appeal-table")).to_contain_text("汉滨区政府")
    page.goto(appeal_url)
    page.get_by_test_id("appeal-decide").get_by_label("意见").fill("经核查通话记录，申诉成立。")
    page.get_by_test_id("do-uphold").click()
    expect(page.get_by_test_id("appeal-status")).to_have_text("申诉成立")

    _switch(page, login, "hanbin")
    assert _figures(page, base_url, day) == (on_time + 1, late - 1)
    page.goto(f"{base_url}/orders/{order_id}")
    expect(page.get_by_test_id("order-appeals")).to_contain_text("申诉成立")
    expect(page.get_by_test_id("timeline")).to_contain_text("申诉成立（逾期不再计入）")
