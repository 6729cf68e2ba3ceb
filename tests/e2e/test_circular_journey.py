"""Staff draft the August 2018 circular, edit a section with live preview, download the PDF and issue it;
恒口示范区 opens it and the centre sees the read receipt."""
from __future__ import annotations

import re

from playwright.sync_api import expect


def test_draft_edit_preview_download_issue_and_read(login, page, tmp_path):
    login("zhongxin")
    page.get_by_test_id("nav").get_by_role("link", name="通报", exact=True).click()
    expect(page.get_by_text("关于12345便民服务平台8月份工单办理情况的通报").first).to_be_visible()  # the demo draft
    page.get_by_test_id("new-circular").click()
    page.get_by_label("开始日期").fill("2018-08-01")
    page.get_by_label("结束日期").fill("2018-08-31")
    page.get_by_label("统计截止时间").fill("2018-09-29T09:00")
    page.get_by_role("button", name="生成草稿").click()
    expect(page.get_by_role("heading", name="编辑通报草稿")).to_be_visible()
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("共接听群众来电6196件")

    problems = page.get_by_label("三、存在问题")
    problems.fill(problems.input_value() + "\n3.浏览器测试补充的问题。")
    expect(preview).to_contain_text("3.浏览器测试补充的问题。")  # live preview, not saved yet
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已手工修改").first).to_be_visible()

    with page.expect_download() as info:
        page.get_by_test_id("download-pdf").click()
    pdf = tmp_path / "circular.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert info.value.suggested_filename.endswith(".pdf")

    # Issuing without typical cases warns first; staff go back and confirm a proposed case.
    page.get_by_role("button", name="印发").click()
    page.get_by_test_id("confirm-yes").click()  # the styled confirmation (static/js/app.js)
    expect(page.get_by_test_id("empty-sections")).to_contain_text("典型案例")
    page.get_by_role("link", name="返回编辑").click()
    proposed = page.get_by_test_id("proposed-case").first
    expect(proposed).to_contain_text("表扬")
    proposed.get_by_role("button", name="确认选用").click()
    expect(page.get_by_test_id("case")).to_have_count(1)

    page.get_by_role("button", name="印发").click()
    expect(page.locator("#confirm-dialog")).to_contain_text("确定印发")
    page.get_by_test_id("confirm-yes").click()
    expect(page.get_by_text("已印发").first).to_be_visible(timeout=30000)  # 印发 renders and stores three files
    expect(page.get_by_test_id("stored-outputs")).to_contain_text("PDF SHA-256")
    issued_url = page.url
    expect(page.get_by_test_id("receipts")).to_contain_text("恒口示范区")
    page.get_by_role("button", name="退出").click()

    login("hengkou")
    page.get_by_test_id("nav").get_by_role("link", name="通报", exact=True).click()
    page.get_by_role("link", name="关于12345便民服务平台8月份工单办理情况的通报").click()
    expect(page.get_by_test_id("circular-document")).to_contain_text("3.浏览器测试补充的问题。")
    expect(page.get_by_test_id("read-mark")).to_contain_text("签阅")
    assert page.url == issued_url
    page.get_by_role("button", name="退出").click()

    login("zhongxin")
    page.goto(issued_url)
    row = page.get_by_test_id("receipts").locator("tr", has_text="恒口示范区")
    expect(row).not_to_contain_text("未读")
    expect(row).to_contain_text(re.compile(r"2\d{3}-\d{2}-\d{2} \d{2}:\d{2}"))
