"""附件2 考核得分表 (issue 13): frozen in the snapshot, printed in every output, absent from older snapshots."""
from __future__ import annotations

import io
import re
import subprocess
from datetime import date, datetime

from docx import Document
from openpyxl import load_workbook

from portal.circulars import drafting, outputs, services
from portal.circulars.document import build
from portal.extensions import db
from portal.scores.models import AdjustmentKind
from portal.scores.queries import month_scores
from portal.scores.services import ItemSpec, add_adjustment
from tests.circulars.helpers import AS_OF, august
from tests.circulars.snapshots import seed_snapshot
from tests.scores.helpers import scheme

AUG = (date(2018, 8, 1), date(2018, 8, 31))


def _doc(snapshot: dict):
    return build(snapshot, title=drafting.default_title(*AUG), doc_number="", issuer="安康市政务服务中心",
                 addressee_line=drafting.DEFAULT_ADDRESSEES, texts=drafting.draft_all(snapshot, None),
                 issue_date=date(2018, 9, 29), cc=drafting.DEFAULT_CC)


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    return "".join(t.text for t in document.element.body.iter() if t.tag.endswith("}t") and t.text)


def test_a_draft_freezes_the_scores_and_every_output_prints_them(tmp_path):
    world = august()
    scheme(items=[ItemSpec("on_time", 100, None)], red_size=1, black_size=1)
    c = services.draft(*AUG, AS_OF, world.staff)
    db.session.commit()
    frozen = c.snapshot["scores"]
    rows = {r["short_name"]: r for g in frozen["groups"] for r in g["rows"]}
    assert rows["恒口示范区"]["total"] == "50.00" and rows["恒口示范区"]["mark"] == "黑榜"
    assert rows["市人社局"]["total"] == "100.00" and rows["市人社局"]["mark"] == "红榜"
    assert "红榜单位：市直部门组市人社局。黑榜单位：市直部门组恒口示范区。" in c.texts["s1"]
    assert "（详见附件1）" in c.texts["s1"]

    doc = _doc(c.snapshot)
    assert doc.attachment_titles == ["8月份各承办单位工单办理情况统计表", "8月份各承办单位考核得分表"]
    pdf = _pdf_text(outputs.render(doc, "pdf"), tmp_path)
    for needle in ("附件：1.8月份各承办单位工单办理情况统计表", "2.8月份各承办单位考核得分表", "附件1", "附件2",
                   "恒口示范区", "50.00", "黑榜"):
        assert needle in pdf, needle
    docx = _docx_text(outputs.render(doc, "docx"))
    assert "附件2" in docx and "8月份各承办单位考核得分表" in docx and "50.00" in docx
    wb = load_workbook(io.BytesIO(outputs.render(doc, "xlsx")))
    sheet = list(wb["考核得分表"].iter_rows(values_only=True))
    assert sheet[1][:3] == ("名次", "承办单位", "按期办结率")
    assert any(r[1] == "恒口示范区" and r[-2] == 50.0 and r[-1] == "黑榜" for r in sheet)


def test_an_issued_circular_keeps_its_scores_when_later_adjustments_change_the_month():
    world = august()
    scheme(items=[ItemSpec("on_time", 100, None)])
    c = services.draft(*AUG, AS_OF, world.staff)
    services.issue(c, world.staff)
    db.session.commit()
    before = c.snapshot["scores"]
    add_adjustment(None, unit=world.a, month=date(2018, 8, 1), kind=AdjustmentKind.DEDUCT, hundredths=1000,
                   reason="答复不规范", at=datetime(2018, 10, 8, 9, 0))
    db.session.commit()
    assert month_scores(date(2018, 8, 1), datetime(2018, 10, 9)).entry(world.a.id).total != \
        month_scores(date(2018, 8, 1), AS_OF).entry(world.a.id).total
    db.session.expire_all()
    assert db.session.get(type(c), c.id).snapshot["scores"] == before


def test_a_snapshot_without_scores_still_renders_with_one_attachment(tmp_path):
    snapshot = seed_snapshot()
    assert "scores" not in snapshot
    doc = _doc(snapshot)
    assert doc.score_rows == [] and doc.attachment_titles == ["8月份各承办单位工单办理情况统计表"]
    pdf = _pdf_text(outputs.render(doc, "pdf"), tmp_path)
    assert "附件：8月份各承办单位工单办理情况统计表" in pdf and "附件2" not in pdf and "考核得分表" not in pdf
    assert "附件2" not in _docx_text(outputs.render(doc, "docx"))
    assert "考核得分表" not in load_workbook(io.BytesIO(outputs.render(doc, "xlsx"))).sheetnames
    assert "详见附件）" in drafting.draft_handling(snapshot)


def test_a_period_that_is_not_a_whole_month_has_no_scores():
    world = august()
    scheme(items=[ItemSpec("on_time", 100, None)])
    c = services.draft(date(2018, 8, 1), date(2018, 8, 15), AS_OF, world.staff)
    assert "scores" not in c.snapshot
