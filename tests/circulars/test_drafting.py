"""Sections drafted from a snapshot, in the seed's words (pure functions, no database)."""
from __future__ import annotations

from datetime import date

from portal.circulars import drafting
from portal.circulars.document import build, split_paragraphs
from tests.circulars.snapshots import SEED_NON_SUBMITTERS, row, seed_snapshot


def test_handling_section_reads_like_the_seed():
    text = drafting.draft_handling(seed_snapshot())
    first, second = text.split("\n")
    assert first == (
        "8月，共接听群众来电6196件，直接回复5235件，形成工单办理961件（含优化营商环境1件，生态环境保护29件）。"
        "其中，按期办结934件，逾期办结7件，逾期未办结20件。按期办结率为97%（详见附件）。"
    )
    assert second == (
        "在961件工单中，咨询类138件，占14.4%；求助类688件，占71.6%；投诉类92件，占9.6%；建议类36件，占3.7%；"
        "举报类5件，占0.5%；表扬类2件，占0.2%。群众反映的热点问题主要集中在：噪音扰民、市容环境、贫困户认定、居民用水用电等。"
    )


def test_handling_mentions_in_progress_and_undispatched_and_skips_empty_parts():
    snap = seed_snapshot()
    snap["totals"] = row("合计", 10, [4, 6, 0, 0, 0, 0], 5, 1, 1, "71%", in_progress=3)
    snap["kinds"] = [{"kind": "consult", "label": "咨询", "count": 4, "share_text": "40.0%"},
                     {"kind": "help", "label": "求助", "count": 6, "share_text": "60.0%"},
                     {"kind": "praise", "label": "表扬", "count": 0, "share_text": "0.0%"}]
    snap["tags"], snap["hot_topics"], snap["undispatched"] = [["优化营商环境", 0]], [], 2
    first, second = drafting.draft_handling(snap).split("\n")
    assert "形成工单办理10件。其中" in first
    assert "逾期未办结1件，在办3件。按期办结率为71%" in first
    assert first.endswith("另有2件工单尚未派单，未计入上述统计。")
    assert second == "在10件工单中，咨询类4件，占40.0%；求助类6件，占60.0%。"


def test_handling_without_any_order_has_no_rate():
    snap = seed_snapshot()
    snap["totals"] = row("合计", 0, [0] * 6, 0, 0, 0, "—")
    text = drafting.draft_handling(snap)
    assert "按期办结率" not in text
    assert text.endswith("逾期未办结0件。（详见附件）")


def test_problems_name_the_overdue_units_and_every_non_submitter():
    text = drafting.draft_problems(seed_snapshot())
    first, second = text.split("\n")
    assert first.startswith("1.工单办理机制有待健全。截至9月29日，恒口示范区20件工单任务逾期未办结")
    assert second.startswith("2.25个单位未报送知识库信息。按照“知识库信息报送”要求，各承办单位应于8月25日前报送知识库信息。")
    assert second.endswith("、".join(SEED_NON_SUBMITTERS) + "未报送知识库信息内容。")


def test_problems_with_several_overdue_units_and_nothing_else():
    snap = seed_snapshot()
    snap["overdue_units"].append({"unit_id": 1, "short_name": "汉滨区政府", "full_name": "x", "overdue_open": 2})
    snap["non_submitters"] = []
    assert drafting.draft_problems(snap).startswith(
        "1.工单办理机制有待健全。截至9月29日，恒口示范区20件、汉滨区政府2件工单任务逾期未办结")
    snap["overdue_units"] = []
    assert drafting.draft_problems(snap) == "1.本期各承办单位工单均已按期办理，知识库信息均已按要求报送。"


def test_requirements_carry_the_new_deadline():
    text = drafting.draft_requirements(seed_snapshot(), date(2018, 10, 12))
    assert text.split("\n")[2] == (
        "3.加快知识库信息报送。各热线承办单位要对照任务目标和单位职能，及时做好知识库信息的更新维护等工作。"
        "25个未报送知识库信息的单位要在10月12日前完成报送工作。"
        "逾期未报送的将按《安康市政务服务平台建设运行监督管理办法》予以处理。"
    )
    assert "要尽快完成报送工作" in drafting.draft_requirements(seed_snapshot(), None)
    assert "要在2019年1月5日前" in drafting.draft_requirements(seed_snapshot(), date(2019, 1, 5))


def test_period_labels_and_titles():
    assert drafting.default_title(date(2018, 8, 1), date(2018, 8, 31)) == "关于12345便民服务平台8月份工单办理情况的通报"
    assert drafting.period_label(date(2018, 8, 1), date(2018, 8, 15)) == "8月1日至8月15日"
    assert drafting.period_label(date(2018, 12, 20), date(2019, 1, 5)) == "2018年12月20日至2019年1月5日"
    assert drafting.period_label(date(2020, 2, 1), date(2020, 2, 29)) == "2月"


def test_headings_are_split_from_their_paragraph():
    paras = split_paragraphs("（一）工单办理机制有待健全。恒口示范区……\n一、总体情况\n\n普通段落")
    assert [(p.level, p.lead, p.rest) for p in paras] == [
        (2, "（一）工单办理机制有待健全。", "恒口示范区……"), (1, "一、总体情况", ""), (0, "", "普通段落")]


def test_document_table_has_the_seed_columns_and_total_row():
    snap = seed_snapshot()
    doc = build(snap, title="t", doc_number="", issuer="安康市政务服务中心", addressee_line="",
                texts=drafting.draft_all(snap, None), issue_date=date(2018, 9, 29), cc="")
    assert doc.header == ["序号", "承办单位", "工单总量", "咨询类", "求助类", "投诉类", "建议类", "举报类", "表扬类",
                          "按期办结", "逾期办结", "未办结", "按期办结率"]
    assert doc.rows[3] == ["4", "恒口示范区", "55", "4", "47", "3", "1", "0", "0", "32", "3", "20", "58%"]
    assert doc.total_row == ["", "合计", "961", "138", "688", "92", "36", "5", "2", "934", "7", "20", "97%"]
    assert [s.heading for s in doc.sections] == ["一、办理情况", "二、典型案例", "三、存在问题", "四、下步要求"]
    assert doc.sections[1].paragraphs[1].text.startswith("2.平利县城关镇徐女士8月8日来电称")
    assert doc.issue_date_text == "2018年9月29日"
