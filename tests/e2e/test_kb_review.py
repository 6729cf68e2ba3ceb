"""A liaison (hanbin) uploads entries from the template; the centre (zhongxin) publishes one and returns one."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

FIRST = "汉滨区城区居民如何办理燃气开户？"
SECOND = "汉滨区老旧小区改造的申报程序是什么？"


def _filled_template(data: bytes) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb["知识库条目"]
    ws.delete_rows(2)
    ws.append(["公用事业", FIRST, "携带身份证和房产证到燃气公司营业厅办理开户，3 个工作日内安装通气。", "", "汉滨区人民政府",
               "办事指南", "燃气、开户", "2019-12-31", "2019-06-30"])
    ws.append(["城乡建设", SECOND, "由小区业主委员会向街道办事处申报。", "", "汉滨区人民政府", "政策文件", "老旧小区",
               "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_liaison_uploads_from_the_template_and_the_centre_publishes_one_and_returns_one(login, page, base_url, tmp_path):
    login("hanbin")
    page.get_by_test_id("nav").get_by_role("link", name="知识库").click()
    page.get_by_role("link", name="批量导入").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="知识库条目导入模板（XLSX）").click()
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)
    upload = tmp_path / "entries.xlsx"
    upload.write_bytes(_filled_template(template.read_bytes()))
    page.get_by_label("XLSX 文件").set_input_files(str(upload))
    page.get_by_label("导入后直接报送中心审核").check()
    page.get_by_label("新建文件中不存在的类目").check()  # 类目 are a maintained list; the file may name new ones
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_text("已导入 2 个条目并报送中心审核。")).to_be_visible()
    page.get_by_role("button", name="退出").click()

    login("zhongxin")
    page.get_by_test_id("nav").get_by_role("link", name="知识库").click()
    queue = page.get_by_test_id("kb-entries")
    expect(queue).to_contain_text(FIRST)
    expect(queue).to_contain_text(SECOND)
    queue.get_by_role("link", name=FIRST).click()
    page.get_by_role("button", name="审核通过并发布").click()
    expect(page.get_by_text("条目已发布。")).to_be_visible()
    expect(page.get_by_test_id("entry-status")).to_have_text("已发布")

    page.goto(f"{base_url}/knowledge/")
    page.get_by_test_id("kb-entries").get_by_role("link", name=SECOND).click()
    page.get_by_label("退回原因").fill("请写明申报材料清单和办理时限。")
    page.get_by_role("button", name="退回单位").click()
    expect(page.get_by_text("条目已退回单位。")).to_be_visible()
    page.get_by_role("button", name="退出").click()

    login("hanbin")
    page.goto(f"{base_url}/knowledge/?status=returned")
    expect(page.get_by_test_id("kb-entries")).to_contain_text("退回原因：请写明申报材料清单和办理时限。")
    page.goto(f"{base_url}/knowledge/search?q=燃气开户")
    expect(page.get_by_test_id("kb-hits")).to_contain_text("城区居民如何办理燃气开户")
