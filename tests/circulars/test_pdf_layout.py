"""The circular's PDF against GB/T 9704-2012, measured on the PDF itself (text boxes from poppler, fonts
and rules from the content streams)."""
from __future__ import annotations

import re
import shutil
from datetime import date

import pytest
from pypdf import PdfReader

from portal.circulars import drafting, fonts, outputs
from portal.circulars.document import build
from portal.circulars.render_pdf import Layout
from tests.circulars.pdf_measure import (
    fonts_of_text,
    lines,
    page_content,
    pdf_fonts,
    words,
)
from tests.circulars.snapshots import seed_snapshot

TOL = 0.3  # mm
LEFT, RIGHT, TOP, BOTTOM = 28.0, 184.0, 37.0, 262.0


def seed_doc(**changes):
    snap = seed_snapshot()
    texts = {**drafting.draft_all(snap, date(2018, 10, 12)), **changes.pop("texts", {})}
    args = dict(title=drafting.default_title(date(2018, 8, 1), date(2018, 8, 31)), doc_number="安政服发〔2018〕12号",
                issuer="安康市政务服务中心", addressee_line=drafting.DEFAULT_ADDRESSEES, texts=texts,
                issue_date=date(2018, 9, 29), cc=drafting.DEFAULT_CC)
    return build(snap, **{**args, **changes})


@pytest.fixture(scope="module")
def pdf(app, tmp_path_factory):
    texts = {"s3": "（一）工单办理机制有待健全。恒口示范区20件工单任务逾期未办结。"}
    with app.app_context():
        data = outputs.render(seed_doc(texts=texts), "pdf")
    path = tmp_path_factory.mktemp("layout") / "circular.pdf"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def pages(pdf):
    return words(pdf)


def is_folio(w) -> bool:
    return w.text == "—" or (w.text.isdigit() and w.y0 > BOTTOM)


def test_every_word_lies_in_the_text_block_of_an_a4_page(pdf, pages):
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == len(pages) >= 4
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    for number, page in enumerate(pages, start=1):
        for w in page:
            if is_folio(w):
                continue
            assert LEFT - TOL <= w.x0 and w.x1 <= RIGHT + TOL, (number, w)
            assert TOP - TOL <= w.y0 and w.y1 <= BOTTOM + TOL, (number, w)


def test_issuing_mark_35_mm_below_the_block_top_and_centred(pages):
    mark = pages[0][0]
    assert mark.text == "安康市政务服务中心"
    assert mark.y0 == pytest.approx(TOP + 35, abs=TOL)
    assert (mark.x0 + mark.x1) / 2 == pytest.approx((LEFT + RIGHT) / 2, abs=TOL)
    number = pages[0][1]
    assert number.text == "安政服发〔2018〕12号" and number.y0 > mark.y1 + 2 * 8  # two lines below the mark


def test_title_22_pt_in_balanced_lines(pages):
    title = [w for w in pages[0] if abs(w.height_pt - 22) < 0.5]
    assert [w.text for w in title] == ["关于12345便民服务平台", "8月份工单办理情况的通报"]
    for w in title:
        assert (w.x0 + w.x1) / 2 == pytest.approx((LEFT + RIGHT) / 2, abs=TOL)
    widths = [w.x1 - w.x0 for w in title]
    assert abs(widths[0] - widths[1]) < 2 * 22 * 25.4 / 72  # within two characters


@pytest.mark.parametrize("title", [
    "关于12345便民服务平台8月份工单办理情况的通报",
    "关于12345便民服务平台2018年8月1日至8月15日工单办理情况的通报",
    "关于2018年第三季度全市12345便民服务平台各承办单位工单办理及知识库信息报送情况的通报",
    "关于12345便民服务平台工作的通报",
])
def test_title_breaks_keep_numbers_whole_and_never_leave_the_document_type_alone(app, title):
    with app.app_context():
        layout = Layout(fonts.register(fonts.faces()))
    lines = ["".join(r.text for r in line) for line in layout.balanced(title)]
    assert "".join(lines) == title
    for a, b in zip(lines, lines[1:]):
        assert not (a[-1].isdigit() and b[0].isdigit()), lines
        assert not (a[-1].isdigit() and b[0] in "年月日"), lines
        assert not b.startswith("通报") and len(b) > 3, lines
    widths = [layout.width(layout.balanced(title)[i], 22) for i in range(len(lines))]
    assert max(widths) <= 156 / 25.4 * 72 + 0.01
    if len(lines) > 1:
        assert max(widths) - min(widths) < 4 * 22, lines  # balanced: within four characters


def body_lines(pages):
    return [w for page in pages for w in lines(page) if abs(w.height_pt - 16) < 0.5 and not is_folio(w)]


def test_body_16_pt_28_characters_a_line_justified(pages):
    lines = body_lines(pages)
    full = [w for w in lines if w.x1 == pytest.approx(RIGHT, abs=TOL)]
    assert len(full) >= 20
    pure = [w for w in full if not re.search(r"[0-9A-Za-z%.“”]", w.text)]
    assert pure, "no line of Chinese characters only"
    for w in pure:
        indented = w.x0 > LEFT + 5
        assert len(w.text) == (26 if indented else 28), w
        assert w.x0 == pytest.approx(LEFT + (2 * 156 / 28 if indented else 0), abs=TOL), w
    # Every line followed by its paragraph's next line (flush left) reaches the block's right edge.
    for line, after in zip(lines, lines[1:]):
        if after.x0 == pytest.approx(LEFT, abs=TOL) and after.text not in ("附件",) \
                and not after.text.startswith("市12345"):
            assert line.x1 == pytest.approx(RIGHT, abs=TOL), (line, after)


def test_signature_two_characters_in_and_the_date_two_characters_right_of_it(pages):
    ch = 156 / 28
    sign_page = next(p for p in pages if any(w.text == "2018年9月29日" for w in p))
    sign = next(w for w in sign_page if w.text == "安康市政务服务中心")
    when = next(w for w in sign_page if w.text == "2018年9月29日")
    assert sign.x1 == pytest.approx(RIGHT - 2 * ch, abs=TOL)
    assert when.x0 == pytest.approx(sign.x0 + 2 * ch, abs=TOL) and when.y0 > sign.y1


def test_headings_in_hei_and_kai(pdf):
    runs = fonts_of_text(pdf)
    by_text = {text: font for font, text in runs}
    assert "WenQuanYiZenHei" in by_text["一、办理情况"]
    kai = next(font for font, text in runs if text.startswith("（一）"))
    assert "UKai" in kai
    body = next(font for font, text in runs if text.startswith("8月，共接听"))
    assert "UMing" in body


def test_page_numbers_right_on_odd_left_on_even_7_mm_below_the_block(pages):
    for number, page in enumerate(pages, start=1):
        folio = [w for w in page if w.y0 > BOTTOM]
        assert [w.text for w in folio] == ["—", str(number), "—"], number
        assert all(w.height_pt == pytest.approx(14, abs=0.5) for w in folio)
        assert folio[0].y0 == pytest.approx(BOTTOM + 7, abs=TOL)
        em = 14 * 25.4 / 72
        if number % 2:
            assert folio[-1].x1 == pytest.approx(RIGHT - em, abs=TOL), number
        else:
            assert folio[0].x0 == pytest.approx(LEFT + em, abs=TOL), number


def test_colophon_at_the_foot_of_the_last_page_after_the_attachment(pdf, pages):
    texts = ["".join(w.text for w in page) for page in pages]
    assert [i for i, t in enumerate(texts) if "抄送" in t] == [len(pages) - 1]
    last = pages[-1]
    cc = next(w for w in last if w.text.startswith("抄送："))
    total = next(w for w in last if w.text == "合计")
    assert cc.y0 > total.y1  # after the table
    printed = next(w for w in last if w.text == "2018年9月29日印发")
    assert printed.x1 == pytest.approx(RIGHT - 14 * 25.4 / 72, abs=TOL)
    assert BOTTOM - 225 / 22 < printed.y0 and printed.y1 < BOTTOM  # the block's last line
    widths = [round(float(w) * 25.4 / 72, 3) for w in re.findall(r"([\d.]+) w\b", page_content(pdf, len(pages) - 1))]
    assert widths.count(0.35) == 2 and widths.count(0.25) == 1, widths


def test_no_blank_page(pages):
    for number, page in enumerate(pages, start=1):
        assert [w for w in page if not is_folio(w)], f"page {number} is blank"


def test_official_fonts_are_used_when_installed(app, tmp_path, monkeypatch):
    """A folder with a file named 仿宋_GB2312.ttf (here a copy of another TrueType face) gives the body."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    shutil.copy("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", folder / "仿宋_GB2312.ttc")
    monkeypatch.setitem(app.config, "CIRCULAR_FONTS_DIR", str(folder))
    with app.app_context():
        report = {r["official"]: r for r in fonts.report()}
        data = outputs.render(seed_doc(), "pdf")
    assert report["仿宋_GB2312"]["fallback"] is False
    assert report["方正小标宋简体"]["fallback"] is True and report["方正小标宋简体"]["used"] == "AR PL UMing"
    path = tmp_path / "c.pdf"
    path.write_bytes(data)
    body = next(font for font, text in fonts_of_text(path) if text.startswith("8月，共接听"))
    assert "WenQuanYiZenHei" in body
    assert all(f["emb"] == "yes" for f in pdf_fonts(path))  # the installed face is embedded too
