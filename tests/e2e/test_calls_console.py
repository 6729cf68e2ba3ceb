"""An operator (huawu) types the caller's question, sees highlighted entries appear, and answers from one."""
from __future__ import annotations

from playwright.sync_api import expect


def test_operator_answers_a_call_from_a_knowledge_base_entry(login, page):
    login("huawu")
    page.get_by_test_id("nav").get_by_role("link", name="来电登记").click()
    page.get_by_label("来电号码").fill("13912345678")
    page.get_by_label("来电摘要").fill("市民来电称家里突然停水，询问怎么办")
    search = page.get_by_test_id("kb-search")
    search.press_sequentially("停水", delay=80)
    hits = page.get_by_test_id("kb-hits")
    expect(hits).to_be_visible()
    title = hits.locator("a", has_text="家中突然停水怎么办")
    expect(title).to_be_visible()
    expect(title.locator("mark")).to_have_text("停水")
    # a longer question still finds it: jieba keywords, exact phrase first
    search.fill("")
    search.press_sequentially("自来水停水了怎么处理", delay=30)
    expect(page.get_by_test_id("kb-hits").locator("li").first).to_contain_text("家中突然停水怎么办")
    page.get_by_test_id("kb-hits").locator("li").first.get_by_role("checkbox", name="采用此条答复").check()
    page.get_by_role("button", name="直接答复").click()
    expect(page.get_by_text("来电已登记为直接答复，采用 1 条知识库答复。")).to_be_visible()
    recent = page.get_by_test_id("recent-calls")
    expect(recent).to_contain_text("139****5678")
    expect(recent).to_contain_text("直接答复")
    expect(recent).to_contain_text("家中突然停水怎么办？")


def test_one_character_query_updates_the_results_as_the_operator_types(login, page):
    login("huawu")
    page.goto(page.url.rsplit("/", 1)[0] + "/calls/")
    page.get_by_test_id("kb-search").press_sequentially("水", delay=50)
    expect(page.get_by_test_id("kb-hits").locator("mark").first).to_have_text("水")
    page.get_by_test_id("kb-search").press_sequentially("费", delay=50)
    expect(page.get_by_test_id("kb-hits").locator("li").first).to_contain_text("水费有哪些缴纳方式")
