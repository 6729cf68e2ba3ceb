"""The DOCX and XLSX as a real office suite lays them out: LibreOffice (Debian libreoffice-writer-nogui,
libreoffice-calc-nogui) converts them to PDF, and the PDF is measured like the circular's own."""
from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.circulars import drafting, outputs
from portal.circulars.document import build
from tests.circulars.pdf_measure import words
from tests.circulars.seed_table import SEED_TABLE
from tests.circulars.snapshots import seed_snapshot

TOL = 0.5  # mm
LEFT, RIGHT, TOP, BOTTOM = 28.0, 184.0, 37.0, 262.0


def soffice_pdf(source, outdir, home) -> None:
    """soffice --headless --convert-to pdf, with a throwaway profile (no shared ~/.config)."""
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{home}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(outdir), str(source)],
        check=True, capture_output=True, timeout=180, env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture(scope="module")
def converted(app, tmp_path_factory):
    snap = seed_snapshot()
    doc = build(snap, title=drafting.default_title(date(2018, 8, 1), date(2018, 8, 31)),
                doc_number="安政服发〔2018〕12号", issuer="安康市政务服务中心",
                addressee_line=drafting.DEFAULT_ADDRESSEES, texts=drafting.draft_all(snap, date(2018, 10, 12)),
                issue_date=date(2018, 9, 29), cc=drafting.DEFAULT_CC)
    tmp = tmp_path_factory.mktemp("office")
    names = {"pdf": "circular.pdf", "docx": "circular.docx", "xlsx": "tables.xlsx"}
    with app.app_context():
        for fmt, name in names.items():
            (tmp / name).write_bytes(outputs.render(doc, fmt))
    out = tmp / "lo"
    out.mkdir()
    soffice_pdf(tmp / "circular.docx", out, tmp)
    soffice_pdf(tmp / "tables.xlsx", out, tmp)
    return {"pdf": tmp / "circular.pdf", "docx_pdf": out / "circular.pdf", "xlsx": tmp / "tables.xlsx",
            "xlsx_pdf": out / "tables.pdf"}


@pytest.fixture(scope="module")
def docx_pages(converted):
    return converted["docx_pdf"]


def test_docx_has_the_pdfs_page_count_and_no_blank_page(converted, docx_pages):
    assert len(PdfReader(str(docx_pages)).pages) == len(PdfReader(str(converted["pdf"])).pages)
    for number, page in enumerate(words(docx_pages), start=1):
        assert [w for w in page if w.y0 < BOTTOM], f"page {number} is blank"


def test_docx_attachment_table_fits_the_text_block_with_unit_names_on_one_line(docx_pages):
    pages = words(docx_pages)
    table_pages = [p for p in pages if any(w.text == "承办单位" for w in p)]
    assert len(table_pages) == 2
    cells = [w for p in table_pages for w in p if w.y0 < BOTTOM]
    for w in cells:
        assert LEFT - TOL <= w.x0 and w.x1 <= RIGHT + TOL, w
    for name, *_rest in SEED_TABLE:
        found = [w for w in cells if w.text == name]
        assert found, name  # the whole name as one word: not broken over lines
        assert (found[0].x1 - found[0].x0) / 25.4 * 72 == pytest.approx(10.5 * len(name), abs=0.5), name
    assert [w.text for w in cells].count("100%") == sum(1 for r in SEED_TABLE if r[-1] == "100%")


def test_docx_issuing_mark_and_balanced_title(docx_pages):
    first = words(docx_pages)[0]
    assert first[0].text == "安康市政务服务中心" and first[0].y0 == pytest.approx(TOP + 35, abs=1.5)
    lines = {}
    for w in first:
        if w.y0 > first[0].y1 and (w.y1 - w.y0) > 9:  # the 22 pt title lines (16 pt text is 7.3 mm tall here)
            lines.setdefault(round(w.y0), []).append(w.text)
    assert ["".join(t) for t in lines.values()][:2] == ["关于12345便民服务平台", "8月份工单办理情况的通报"]


def test_docx_page_numbers_right_on_odd_left_on_even(docx_pages):
    em = 14 * 25.4 / 72
    for number, page in enumerate(words(docx_pages), start=1):
        folio = [w for w in page if w.y0 > BOTTOM]
        assert [w.text for w in folio] == ["—", str(number), "—"], number
        assert folio[0].y0 == pytest.approx(BOTTOM + 7, abs=1.0)
        if number % 2:
            assert folio[-1].x1 == pytest.approx(RIGHT - em, abs=1.0)
        else:
            assert folio[0].x0 == pytest.approx(LEFT + em, abs=1.0)


def test_docx_colophon_at_the_foot_of_the_last_page(docx_pages):
    pages = words(docx_pages)
    assert [i for i, p in enumerate(pages) if any(w.text.startswith("抄送") for w in p)] == [len(pages) - 1]
    printed = [w for w in pages[-1] if w.text.endswith("印发")]
    assert printed and BOTTOM - 225 / 22 < printed[0].y0 < BOTTOM


def test_xlsx_numbers_percent_formats_and_print_setup(converted):
    wb = load_workbook(io.BytesIO(converted["xlsx"].read_bytes()))
    ws = wb["各单位办理情况"]
    rates = [ws.cell(r, ws.max_column) for r in range(3, ws.max_row + 1)]
    assert all(isinstance(c.value, (int, float)) and c.number_format == "0%" for c in rates)
    assert [c.value for c in rates][:4] == [0.98, 1.0, 1.0, 0.58]
    assert sorted(c.value for c in rates)[0] == 0.58  # sorts as numbers, not as text
    shares = [c for (c,) in wb["诉求类型"].iter_rows(min_row=3, min_col=3, max_col=3)]
    assert [c.value for c in shares][:2] == [0.144, 0.716] and all(c.number_format == "0.0%" for c in shares)
    for sheet in wb.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.print_title_rows == "$2:$2"


def test_xlsx_prints_the_table_one_page_wide(converted):
    pages = words(converted["xlsx_pdf"])
    table = [p for p in pages if any(w.text == "序号" for w in p) and any(w.text == "汉滨区政府" or w.text == "市民政局"
                                                                        or w.text == "合计" for w in p)]
    assert 1 <= len(table) <= 2
    for page in table:
        texts = [w.text for w in page]
        assert "承办单位" in texts and any(t.startswith("按期办结率") for t in texts)
