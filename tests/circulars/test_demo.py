"""The demo's August 2018 circular carries the seed's figures, cases, names and attachment table."""
from __future__ import annotations

import io
import re
import subprocess
from datetime import date, datetime

from pypdf import PdfReader

from portal.circulars import outputs
from portal.circulars.document import from_circular
from portal.circulars.models import Circular, CircularStatus
from portal.demo.loader import load_demo
from portal.demo.units import SEED_NON_SUBMITTERS
from portal.extensions import db
from portal.units.models import Unit
from tests.circulars.seed_table import SEED_TABLE, SEED_TOTAL


def test_demo_august_circular_is_the_seed(tmp_path):
    load_demo(echo=lambda *_: None)
    c = db.session.scalars(db.select(Circular)).one()
    assert (c.status, c.period_start, c.period_end, c.as_of) == \
        (CircularStatus.DRAFT, date(2018, 8, 1), date(2018, 8, 31), datetime(2018, 9, 29, 9, 0))
    assert (c.issuer, c.new_deadline) == ("安康市政务服务中心", date(2018, 10, 12))
    assert c.cc == "市委办公室、市人大常委会办公室、市政府办公室、市政协办公室，市纪委监委办公室。"
    s = c.snapshot
    assert s["calls"] == {"calls": 6196, "direct": 5235, "to_order": 961}
    assert s["tags"] == [["优化营商环境", 1], ["生态环境保护", 29]]
    t = s["totals"]
    assert (t["total"], t["on_time"], t["late"], t["overdue_open"], t["in_progress"], t["rate_text"]) == \
        (961, 934, 7, 20, 0, "97%")
    assert [(k["label"], k["count"], k["share_text"]) for k in s["kinds"]] == [
        ("咨询", 138, "14.4%"), ("求助", 688, "71.6%"), ("投诉", 92, "9.6%"), ("建议", 36, "3.7%"),
        ("举报", 5, "0.5%"), ("表扬", 2, "0.2%")]
    assert [name for name, _n in s["hot_topics"]] == ["噪音扰民", "市容环境", "贫困户认定", "居民用水用电"]
    assert [(u["short_name"], u["overdue_open"]) for u in s["overdue_units"]] == [("恒口示范区", 20)]

    # The 25 non-submitters of the seed (安康银监分局 is the table's 市银监分局), every one named.
    missing = s["non_submitters"][0]["units"]
    assert len(missing) == 25
    names = {u.id: set(u.names) for u in db.session.scalars(db.select(Unit))}
    assert sorted(next(n for n in SEED_NON_SUBMITTERS if n in names[u["unit_id"]]) for u in missing) == \
        sorted(SEED_NON_SUBMITTERS)
    for u in missing:
        assert u["short_name"] in c.texts["s3"]
    assert c.texts["s3"].startswith("1.工单办理机制有待健全。截至9月29日，恒口示范区20件工单任务逾期未办结")
    assert "2.25个单位未报送知识库信息。" in c.texts["s3"]
    assert "25个未报送知识库信息的单位要在10月12日前完成报送工作" in c.texts["s4"]
    assert c.texts["s1"].startswith(
        "8月，共接听群众来电6196件，直接回复5235件，形成工单办理961件（含优化营商环境1件，生态环境保护29件）。"
        "其中，按期办结934件，逾期办结7件，逾期未办结20件。按期办结率为97%（详见附件1）。\n"
        "在961件工单中，咨询类138件，占14.4%；求助类688件，占71.6%；投诉类92件，占9.6%；建议类36件，占3.7%；"
        "举报类5件，占0.5%；表扬类2件，占0.2%。群众反映的热点问题主要集中在：噪音扰民、市容环境、贫困户认定、居民用水用电等。\n"
        "根据8月份考核得分（详见附件2），红榜单位：区县政府组汉滨区政府、平利县政府、旬阳县政府、")
    # The 考核 (issue 13): 红榜/黑榜 named in 一、, the scores frozen in the snapshot, 附件2 printed.
    assert "黑榜单位：区县政府组恒口示范区；市直部门组市人社局、市卫计局、市银监分局、市体育局、市信访局；" in c.texts["s1"]
    scores = {row["short_name"]: row["total"] for g in s["scores"]["groups"] for row in g["rows"]}
    assert (scores["汉滨区政府"], scores["恒口示范区"], scores["市住房公积金管理中心"]) == ("152.24", "73.00", "90.00")
    assert c.texts["intro"].startswith("在市委、市政府的正确领导及各级各部门的大力支持下，经过半年紧张建设，8月30日")

    cases = s["cases"]
    assert [x["kind"] for x in cases] == ["praise", "praise"]
    assert "（工单编号2018041803）" in cases[0]["text"] and cases[0]["text"].startswith("岚皋县官元镇团兴村熊先生")
    assert "（工单编号2018072106）" in cases[1]["text"] and cases[1]["text"].startswith("平利县城关镇徐女士")

    # The attachment table, cell for cell.
    doc = from_circular(c)
    expected = [[str(i), name, *map(str, nums), rate] for i, (name, *nums, rate) in enumerate(SEED_TABLE, start=1)]
    assert doc.rows == expected
    assert doc.total_row == ["", *map(str, SEED_TOTAL)]

    pdf = tmp_path / "aug.pdf"
    pdf.write_bytes(outputs.render(doc, "pdf"))
    flat = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
    for needle in ("共接听群众来电6196件", "形成工单办理961件", "按期办结率为97%", "咨询类138件，占14.4%",
                   "恒口示范区20件工单任务逾期未办结", "陕西高速集团白泉分公司", "（工单编号2018041803）",
                   "附件：1.8月份各承办单位工单办理情况统计表", "2.8月份各承办单位考核得分表", "附件2",
                   "区县政府（满分150分）", "152.24"):
        assert needle in flat, needle
    assert len(PdfReader(io.BytesIO(pdf.read_bytes())).pages) >= 5
