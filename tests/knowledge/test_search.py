"""Chinese search of published entries: 1, 2, 3 and more characters, ranking, highlighting.

Runs on SQLite (FTS5 trigram + LIKE) and on PostgreSQL (ILIKE) with TEST_DATABASE_URL.
"""
from __future__ import annotations

from datetime import datetime

from portal.extensions import db
from portal.knowledge import search, services
from tests.factories import UnitFactory
from tests.knowledge.factories import centre, liaison, published_entry


def titles(query):
    return [h.doc.title for h in search.search(query)[1]]


def corpus():
    """Published at different times: 水费缴纳方式 last, although it was created before 居民用电报装."""
    unit = UnitFactory()
    published_entry(unit, "停水通知在哪里查询", answer="可关注自来水公司公众号查询计划停水通知。", keywords=["停水", "供水"],
                    when=datetime(2018, 8, 20, 10))
    published_entry(unit, "水费缴纳方式", answer="可通过营业厅、银行代扣、微信缴纳水费。", keywords=["水费"],
                    when=datetime(2018, 8, 23, 10))
    published_entry(unit, "居民用电报装", answer="携带身份证和房产证到供电营业厅办理。停水与此无关。", keywords=["用电"],
                    when=datetime(2018, 8, 21, 10))
    published_entry(unit, "城区占道经营如何投诉", answer="由城管部门依法查处占道经营行为。", keywords=["占道经营", "市容环境"],
                    when=datetime(2018, 8, 20, 11))
    return unit


def test_one_character_query_matches_substrings():
    corpus()
    assert set(titles("水")) == {"停水通知在哪里查询", "水费缴纳方式", "居民用电报装"}


def test_two_character_query_ranks_title_before_keyword_before_body():
    corpus()
    assert titles("停水") == ["停水通知在哪里查询", "居民用电报装"]
    assert titles("市容") == ["城区占道经营如何投诉"]  # keyword-only hit


def test_three_character_query_ranks_equal_hits_newest_first():
    corpus()
    # Both mention 营业厅 once, in the body: the one published last comes first (not the one created last).
    assert titles("营业厅") == ["水费缴纳方式", "居民用电报装"]
    assert titles("占道经") == ["城区占道经营如何投诉"]


def test_longer_question_is_segmented_and_the_exact_phrase_ranks_first():
    unit = corpus()
    published_entry(unit, "占道经营被罚款怎么办", answer="可申请行政复议。", keywords=["罚款"])
    found = titles("家里停水了怎么办")
    assert found == ["停水通知在哪里查询", "居民用电报装"]  # by 停水; 怎么办 (a stopword) alone finds nothing
    assert titles("水费缴纳方式")[0] == "水费缴纳方式"


def test_title_hit_ranks_above_keyword_hit_above_body_hit():
    unit = UnitFactory()
    published_entry(unit, "其他问题", answer="涉及低保的政策解读。", keywords=["救助"])
    published_entry(unit, "临时救助", answer="说明", keywords=["困难"])
    published_entry(unit, "困难群众帮扶", answer="说明", keywords=["低保"])
    published_entry(unit, "低保申请条件", answer="说明", keywords=["救助"])
    assert titles("低保") == ["低保申请条件", "困难群众帮扶", "其他问题"]


def test_drafts_and_submitted_entries_are_not_found():
    unit = UnitFactory()
    services.create_entry(liaison(unit), unit.id, services.EntryData(title="草稿里的停水", answer="x"))
    entry = services.create_entry(liaison(unit), unit.id, services.EntryData(title="待审的停水", answer="x"), submit=True)
    db.session.commit()
    assert titles("停水") == []
    services.publish_entry(centre(), entry)
    assert titles("停水") == ["待审的停水"]


def test_matches_are_highlighted_and_html_is_escaped():
    unit = UnitFactory()
    published_entry(unit, "<script>停水</script>公告", answer="a<b>停水</b>")
    hit = search.search("停水")[1][0]
    assert str(hit.title) == "&lt;script&gt;<mark>停水</mark>&lt;/script&gt;公告"
    assert "<mark>停水</mark>" in str(hit.snippet) and "&lt;b&gt;" in str(hit.snippet)


def test_like_wildcards_in_the_query_are_literal():
    unit = UnitFactory()
    published_entry(unit, "百分之百满意", answer="x")
    assert titles("%") == [] and titles("_") == []


def test_fts_stays_in_sync_after_revision(app):
    unit = UnitFactory()
    entry = published_entry(unit, "黄姜地赔偿标准", answer="按青苗补偿标准执行")
    services.update_entry(liaison(unit), entry, services.EntryData(title="板栗林补助", answer="按林业补助办法执行"))
    services.submit_entry(liaison(unit), entry)
    services.publish_entry(centre(), entry)
    db.session.commit()
    assert titles("黄姜地") == [] and titles("板栗林") == ["板栗林补助"]


def test_empty_query_finds_nothing():
    corpus()
    assert titles("   ") == []


def test_an_entry_matching_only_a_generic_word_of_the_query_is_not_an_answer():
    unit = UnitFactory()
    published_entry(unit, "个体工商户营业执照怎么办", answer="到政务大厅市场监管窗口办理。", keywords=["营业执照"])
    published_entry(unit, "信访事项的办理时限", answer="信访事项应当自受理之日起60日内办结。", keywords=["信访"])
    published_entry(unit, "网约车驾驶员证怎么办理", answer="向交通运输部门申请。", keywords=["网约车"])
    assert titles("营业执照办理") == ["个体工商户营业执照怎么办"]
    assert set(titles("办理")) == {"个体工商户营业执照怎么办", "信访事项的办理时限", "网约车驾驶员证怎么办理"}


def test_coverage_counts_the_meaningful_characters_of_the_phrase():
    unit = UnitFactory()
    published_entry(unit, "住房公积金提取", answer="说明", keywords=["公积金"])
    published_entry(unit, "公积金贷款", answer="说明", keywords=["贷款"])
    published_entry(unit, "养老金提取", answer="说明", keywords=["养老"])
    assert titles("公积金提取") == ["住房公积金提取", "公积金贷款"]  # 提取 alone (2 of 5 characters) is not enough
