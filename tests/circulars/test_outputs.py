"""PDF, DOCX and XLSX of one circular say the same figures; the PDF embeds every font and is A4."""
from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.circulars import drafting, outputs
from portal.circulars.document import build
from tests.circulars.pdf_measure import pdf_fonts
from tests.circulars.seed_table import SEED_TABLE, SEED_TOTAL
from tests.circulars.snapshots import SEED_NON_SUBMITTERS, seed_snapshot


@pytest.fixture(scope="module")
def seed_doc():
    snap = seed_snapshot()
    return build(snap, title=drafting.default_title(date(2018, 8, 1), date(2018, 8, 31)), doc_number="安政服发〔2018〕12号",
                 issuer="安康市政务服务中心", addressee_line=drafting.DEFAULT_ADDRESSEES,
                 texts=drafting.draft_all(snap, date(2018, 10, 12)), issue_date=date(2018, 9, 29),
                 cc=drafting.DEFAULT_CC)


@pytest.fixture(scope="module")
def pdf_file(seed_doc, tmp_path_factory, app):
    with app.app_context():
        data = outputs.render(seed_doc, "pdf")
    path = tmp_path_factory.mktemp("pdf") / "circular.pdf"
    path.write_bytes(data)
    return path


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_embeds_every_font_and_is_a4(pdf_file):
    fonts = pdf_fonts(pdf_file)
    assert fonts, "the PDF has no fonts"
    assert all(f["emb"] == "yes" for f in fonts), fonts
    assert all(f["type"].startswith("TrueType") for f in fonts), fonts
    assert {"UMingCN", "WenQuanYiZenHei"} <= {f["name"].split("+")[-1].split("-")[0] for f in fonts}
    reader = PdfReader(str(pdf_file))
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_pdf_text_carries_the_figures_names_and_page_numbers(pdf_file):
    text = pdf_text(pdf_file)
    flat = re.sub(r"\s+", "", text)
    for needle in ("安康市政务服务中心", "关于12345便民服务平台8月份工单办理情况的通报", "共接听群众来电6196件", "直接回复5235件",
                   "形成工单办理961件（含优化营商环境1件，生态环境保护29件）", "按期办结934件", "逾期办结7件",
                   "逾期未办结20件", "按期办结率为97%", "咨询类138件，占14.4%", "恒口示范区20件工单任务逾期未办结",
                   "要在10月12日前完成报送工作", "（工单编号2018072106）", "2018年9月29日", "抄送：市委办公室",
                   "安政服发〔2018〕12号"):
        assert needle in flat, needle
    for name in SEED_NON_SUBMITTERS:
        assert name in flat, name
    pages = PdfReader(str(pdf_file)).pages
    for i, page in enumerate(pages, start=1):
        assert f"— {i} —" in page.extract_text(), f"page {i} has no page number"


def test_pdf_attachment_table_on_its_own_pages_with_repeated_header(pdf_file):
    reader = PdfReader(str(pdf_file))
    texts = [re.sub(r"—\d+—", "", re.sub(r"\s+", "", p.extract_text())) for p in reader.pages]
    table_pages = [i for i, t in enumerate(texts) if "序号承办单位" in t]
    assert len(table_pages) >= 2, "the 48 rows span two pages, each with the header"
    first = table_pages[0]
    assert "一、办理情况" not in texts[first]
    assert texts[first].startswith("附件8月份各承办单位工单办理情况统计表序号承办单位")
    assert "按期办结率为97%" not in texts[first] and "抄送" not in texts[first - 1]
    assert "抄送：市委办公室" in texts[-1] and texts[-1].index("合计") < texts[-1].index("抄送")
    layout = pdf_text(pdf_file)
    for name, *nums, rate in SEED_TABLE:
        cells = [re.escape(name), *map(str, nums), re.escape(rate)]
        assert re.search(r"\s+".join(cells), layout), name
    assert re.search(r"合计\s+" + r"\s+".join(map(str, SEED_TOTAL[1:-1])) + r"\s+97%", layout)


def test_docx_holds_the_numbers_and_names_the_official_fonts(seed_doc):
    document = Document(io.BytesIO(outputs.render(seed_doc, "docx")))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "共接听群众来电6196件，直接回复5235件，形成工单办理961件" in body
    assert "按期办结率为97%" in body and "恒口示范区20件" in body

    def east_asia(run):
        return run._element.rPr.rFonts.get(qn("w:eastAsia"))

    runs = {east_asia(r): r for p in document.paragraphs for r in p.runs if r.text}
    assert {"仿宋_GB2312", "黑体", "方正小标宋简体"} <= set(runs)
    title = next(p for p in document.paragraphs if p.text.startswith("关于12345"))
    assert east_asia(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    heading = next(p for p in document.paragraphs if p.text == "一、办理情况")
    assert east_asia(heading.runs[0]) == "黑体"
    body_run = next(p for p in document.paragraphs if p.text.startswith("8月，共接听")).runs[0]
    assert east_asia(body_run) == "仿宋_GB2312" and body_run.font.size.pt == 16
    section = document.sections[0]
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert round(section.page_width.mm - section.left_margin.mm - section.right_margin.mm) == 156
    table = document.tables[0]
    assert [c.text.replace("\n", "") for c in table.rows[0].cells][:3] == ["序号", "承办单位", "工单总量"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert rows[0] == ["1", *map(str, SEED_TABLE[0][:-1]), "98%"]
    assert rows[-1][1:] == ["合计", *map(str, SEED_TOTAL[1:])]


def test_docx_kai_heading_for_second_level():
    snap = seed_snapshot()
    texts = {**drafting.draft_all(snap, None), "s3": "（一）工单办理机制有待健全。恒口示范区有工单逾期。"}
    doc = build(snap, title="t", doc_number="", issuer="x", addressee_line="", texts=texts, issue_date=None, cc="")
    document = Document(io.BytesIO(outputs.render(doc, "docx")))
    para = next(p for p in document.paragraphs if p.text.startswith("（一）"))
    assert para.runs[0].text == "（一）工单办理机制有待健全。"
    assert para.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"


def test_xlsx_holds_the_same_numbers(seed_doc):
    wb = load_workbook(io.BytesIO(outputs.render(seed_doc, "xlsx")))
    ws = wb["各单位办理情况"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == ("序号", "承办单位", "工单总量")
    def as_number(rate: str) -> float:
        return round(float(rate.rstrip("%")) / 100, 3)

    assert [r[1:] for r in rows[1:-1]] == [(*r[:-1], as_number(r[-1])) for r in SEED_TABLE]
    assert rows[-1][1:] == (*SEED_TOTAL[:-1], 0.97)
    kinds = list(wb["诉求类型"].iter_rows(min_row=3, values_only=True))
    assert kinds[0] == ("咨询类", 138, 0.144) and kinds[-1] == ("合计", 961, 1)
    missing = list(wb["未报送单位"].iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in missing] == SEED_NON_SUBMITTERS
    assert missing[0][4] == "2018-08-25 23:59"


def test_docx_table_grid_declares_the_cell_widths_and_a_fixed_layout(seed_doc):
    document = Document(io.BytesIO(outputs.render(seed_doc, "docx")))
    tbl = document.tables[0]._tbl
    grid = [int(c.get(qn("w:w"))) for c in tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(grid) == round(156 / 25.4 * 1440)
    assert tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    for tr in tbl.findall(qn("w:tr"))[:-1]:
        widths = [int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for tc in tr.findall(qn("w:tc"))]
        assert widths == grid
    assert document.settings.odd_and_even_pages_header_footer is True
