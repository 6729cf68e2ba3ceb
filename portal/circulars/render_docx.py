"""DOCX of a circular for editing in WPS/Word, in the same GB/T 9704-2012 layout as the PDF, naming the
official fonts: 方正小标宋简体 (issuing mark, title), 仿宋_GB2312 (body), 黑体 (一、, table header), 楷体_GB2312
（一）. Recipients who have them see them; the East Asian font is set through w:eastAsia, which is what
WPS and Word read for Chinese text.

Measures: 22 lines of exactly 28.95 pt; characters condensed by 0.25 pt so 28 of 3号 fill 156 mm; odd
pages number right and even pages left (w:evenAndOddHeaders); the attachment table has a fixed layout
whose declared grid equals its cell widths (LibreOffice and Word both honour it) and is written as one
XML fragment (no per-cell calls); the 版记 is a table anchored to the foot of the last page's text block.
"""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from portal.circulars.document import Doc, Para
from portal.circulars.render_pdf import column_widths, score_column_widths, split_header

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
FOLIO_FONT = "宋体"  # 7.5: 4号半角宋体阿拉伯数字
RED = RGBColor(0xFF, 0x00, 0x00)
LINE_TW = 579  # twips: 22 lines fit the 225 mm (12,756 twips) text block
LINE = Pt(LINE_TW / 20)
CONDENSE = -5  # twips a character: 28 characters of 16 pt in 156 mm (15.75 pt pitch)
PITCH_PT = 16 - 0.25
TABLE_LINE_TW = 252  # 12.6 pt lines in the table (10.5 pt text)
CELL_PAD_TW = 60  # 3 pt above and below
ROW_TW = TABLE_LINE_TW + 2 * CELL_PAD_TW  # every row exactly 18.6 pt, as in the PDF
HEAD_ROW_TW = 2 * TABLE_LINE_TW + 2 * CELL_PAD_TW
SCORE_LINE_TW = 216  # 10.8 pt lines in the score table (9 pt text)
SCORE_ROW_TW = SCORE_LINE_TW + 2 * CELL_PAD_TW
SLACK_TW = 40  # rounding in the office suite must not push the 版记 to a new page


def twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def _font(run, name: str, size: float, color: RGBColor | None = None, condense: bool = False) -> None:
    run.font.size = Pt(size)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    if condense:
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CONDENSE))
        rpr.append(spacing)
    if color is not None:
        run.font.color.rgb = color


def _paragraph(document, *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, spacing=LINE, before=0):
    p = document.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = spacing
    fmt.space_before, fmt.space_after = Pt(before), Pt(0)
    fmt.widow_control = False
    if indent:
        fmt.first_line_indent = Pt(2 * PITCH_PT)
    p.alignment = align
    return p


def _text(document, text: str, font: str = BODY_FONT, **kw):
    p = _paragraph(document, **kw)
    _font(p.add_run(text), font, 16, condense=True)
    return p


def _body(document, para: Para) -> None:
    p = _paragraph(document)
    if para.lead:
        _font(p.add_run(para.lead), HEI_FONT if para.level == 1 else KAI_FONT, 16, condense=True)
    if para.rest:
        _font(p.add_run(para.rest), BODY_FONT, 16, condense=True)


def _field(paragraph, code: str) -> None:
    run = paragraph.add_run()
    _font(run, FOLIO_FONT, 14)
    for tag, text in (("begin", None), (None, code), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)


def _folio(footer, right: bool) -> None:
    """— N — in 4号, one character in from the right (odd pages) or the left (even pages)."""
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    fmt = p.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(14)
    fmt.space_before = fmt.space_after = Pt(0)
    if right:
        fmt.right_indent = Pt(14)
    else:
        fmt.left_indent = Pt(14)
    _font(p.add_run("— "), FOLIO_FONT, 14)
    _field(p, "PAGE")
    _font(p.add_run(" —"), FOLIO_FONT, 14)


def _rule(paragraph, side: str, size_eighths: int, color: str = "000000", space: int = 0) -> None:
    ppr = paragraph._element.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    el = OxmlElement(f"w:{side}")
    for k, v in (("w:val", "single"), ("w:sz", str(size_eighths)), ("w:space", str(space)), ("w:color", color)):
        el.set(qn(k), v)
    borders.append(el)


def _rpr(font: str, half_points: int) -> str:
    return (f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>'
            f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>')


def _cell(text: str, width: int, style: str, span: int = 1) -> str:
    span_xml = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    runs = "<w:r><w:br/></w:r>".join(f"<w:r><w:t>{escape(line)}</w:t></w:r>" for line in text.split("\n"))
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span_xml}<w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{runs}</w:p></w:tc>')


def _cell_styles(document) -> None:
    """Two paragraph styles for the table (body, header/total) so that cells carry no formatting of their own."""
    for style_id, name, font, half, line, jc in (
            ("CircCell", "通报表格", BODY_FONT, 21, TABLE_LINE_TW, "center"),
            ("CircHead", "通报表头", HEI_FONT, 21, TABLE_LINE_TW, "center"),
            ("CircScore", "得分表格", BODY_FONT, 18, SCORE_LINE_TW, "center"),
            ("CircScoreHead", "得分表头", HEI_FONT, 18, SCORE_LINE_TW, "center"),
            ("CircScoreGroup", "得分分组", HEI_FONT, 18, SCORE_LINE_TW, "left")):
        document.styles.element.append(parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/><w:basedOn w:val="Normal"/>'
            f'<w:pPr><w:widowControl w:val="0"/><w:spacing w:before="0" w:after="0" w:line="{line}" '
            f'w:lineRule="exact"/><w:ind w:left="0" w:right="0" w:firstLine="0"/><w:jc w:val="{jc}"/></w:pPr>'
            f'{_rpr(font, half)}</w:style>'))


def _table(widths: list[int], rows: list[str]) -> str:
    border = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    borders = "".join(border.format(s) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    return (
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:top w:w="{CELL_PAD_TW}" w:type="dxa"/><w:left w:w="20" w:type="dxa"/>'
        f'<w:bottom w:w="{CELL_PAD_TW}" w:type="dxa"/><w:right w:w="20" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000"/></w:tblPr>'
        "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"
        + "".join(rows) + "</w:tbl>"
    )


def _score_grid(doc: Doc) -> tuple[list[int], list[str]]:
    widths = [twips(w) for w in score_column_widths(doc.score_header)]
    widths[-1] += twips(156) - sum(widths)
    return widths, [split_header(h, max((w - 40) // 180, 1)) for h, w in zip(doc.score_header, widths)]  # 9 pt


def score_table_xml(doc: Doc) -> str:
    """附件2 考核得分表 like the PDF's: 9 pt, a heading row per group, every row of an exact height."""
    widths, header = _score_grid(doc)
    exact = f'<w:cantSplit/><w:trHeight w:val="{SCORE_ROW_TW}" w:hRule="exact"/>'
    rows = [f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{score_head_tw(header)}" w:hRule="exact"/>'
            '<w:tblHeader/></w:trPr>' + "".join(_cell(h, w, "CircScoreHead") for h, w in zip(header, widths)) + "</w:tr>"]
    for kind, cells in doc.score_rows:
        if kind == "group":
            rows.append(f"<w:tr><w:trPr>{exact}</w:trPr>"
                        + _cell(cells[0], sum(widths), "CircScoreGroup", span=len(widths)) + "</w:tr>")
        else:
            rows.append(f"<w:tr><w:trPr>{exact}</w:trPr>"
                        + "".join(_cell(c, w, "CircScore") for c, w in zip(cells, widths)) + "</w:tr>")
    return _table(widths, rows)


def score_head_tw(header: list[str]) -> int:
    return max(h.count("\n") + 1 for h in header) * SCORE_LINE_TW + 2 * CELL_PAD_TW


def table_xml(doc: Doc) -> str:
    """The attachment table as one fragment: fixed layout, declared grid = cell widths = the text block."""
    widths = [twips(w) for w in column_widths(doc.header)]
    widths[-1] += twips(156) - sum(widths)
    body, head = "CircCell", "CircHead"
    header = [split_header(h, (w - 40) // 210) for h, w in zip(doc.header, widths)]  # 10.5 pt = 210 twips
    exact = f'<w:cantSplit/><w:trHeight w:val="{ROW_TW}" w:hRule="exact"/>'
    rows = [f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{HEAD_ROW_TW}" w:hRule="exact"/><w:tblHeader/></w:trPr>'
            + "".join(_cell(h, w, head) for h, w in zip(header, widths)) + "</w:tr>"]
    for row in doc.rows:
        rows.append(f"<w:tr><w:trPr>{exact}</w:trPr>"
                    + "".join(_cell(c, w, body) for c, w in zip(row, widths)) + "</w:tr>")
    rows.append(f"<w:tr><w:trPr>{exact}</w:trPr>" + _cell("合计", widths[0] + widths[1], head, span=2)
                + "".join(_cell(c, w, head) for c, w in zip(doc.total_row[2:], widths[2:])) + "</w:tr>")
    return _table(widths, rows)


def colophon_xml(doc: Doc) -> list[str]:
    """版记 paragraphs: 0.35 mm rules above and below, 0.25 mm between 抄送 and 印发机关/印发日期."""
    width = twips(156)
    rpr = _rpr(BODY_FONT, 28)
    thick, thin = 8, 6  # eighths of a point: 1 pt (0.35 mm), 0.75 pt (0.26 mm)

    def border(side: str, size: int) -> str:
        return f'<w:{side} w:val="single" w:sz="{size}" w:space="0" w:color="000000"/>'

    def para(borders: str, ind: str, content: str, tabs: str = "") -> str:
        return (f'<w:p {nsdecls("w")}><w:pPr><w:keepNext/><w:keepLines/><w:pBdr>{borders}</w:pBdr>{tabs}'
                f'<w:spacing w:before="0" w:after="0" w:line="{LINE_TW}" w:lineRule="exact"/>{ind}</w:pPr>'
                f'{content}</w:p>')

    def run(text: str) -> str:
        return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'

    out = []
    if doc.cc:
        below = border("bottom", thin if doc.issue_date_text else thick)
        out.append(para(border("top", thick) + below, '<w:ind w:left="1120" w:hanging="840" w:right="280"/>',
                        run(f"抄送：{doc.cc}")))
    if doc.issue_date_text:
        tabs = f'<w:tabs><w:tab w:val="right" w:pos="{width - 280}"/></w:tabs>'
        above = "" if doc.cc else border("top", thick)
        out.append(para(above + border("bottom", thick), '<w:ind w:left="280" w:right="0"/>',
                        run(doc.issuer) + f"<w:r>{rpr}<w:tab/></w:r>" + run(doc.issue_date_text + "印发"), tabs))
    return out


def filler_twips(doc: Doc, colophon_lines: int) -> tuple[int, bool]:
    """The blank space that puts the 版记 on the foot of the last page, and whether it needs a page of its own.
    Every table row has an exact height, so where the table ends is known without laying it out."""
    if doc.score_rows:  # the 版记 follows 附件2: its table, then the notes (about 48 characters of 9 pt a line)
        return _filler(len(doc.score_rows), SCORE_ROW_TW, _score_header_tw(doc), colophon_lines,
                       after=SCORE_LINE_TW * (2 + len(doc.score_notes) // 48))
    return _filler(len(doc.rows) + 1, ROW_TW, HEAD_ROW_TW, colophon_lines)


def _score_header_tw(doc: Doc) -> int:
    return score_head_tw(_score_grid(doc)[1])


def _filler(rows: int, row_tw: int, head_tw: int, colophon_lines: int, after: int = 0) -> tuple[int, bool]:
    block = twips(225)
    above = 3 * LINE_TW + head_tw  # 附件, a blank line, the title, the header row
    first = (block - above) // row_tw
    if rows <= first:
        used = above + rows * row_tw
    else:
        per_page = (block - head_tw) // row_tw
        last = (rows - first) - per_page * ((rows - first - 1) // per_page)
        used = head_tw + last * row_tw
    used += after
    colophon = colophon_lines * LINE_TW + 3 * 20 + SLACK_TW
    space = block - used - 20 - colophon  # 20: the paragraph that must follow a table
    if space >= 20:
        return space, False
    return block - colophon, True


def _append(document, xml: str) -> None:
    body = document.element.body
    body.insert(len(body) - 1, parse_xml(xml))  # before the final w:sectPr


def _measured(doc: Doc) -> tuple[list[str], int]:
    """The title's lines where the PDF breaks it (balanced) and the number of 抄送 lines, measured with the
    PDF's faces when they can be loaded (else one title line and an estimate)."""
    from flask import has_app_context

    from portal.circulars import fonts
    from portal.circulars.render_pdf import BLOCK_W, FOOT_PT, Layout, Run

    estimate = [doc.title], 1 + len(doc.cc) // 28
    if not has_app_context():
        return estimate
    try:
        layout = Layout(fonts.register(fonts.faces()))
    except fonts.FontMissing:
        return estimate
    title = ["".join(r.text for r in line) for line in layout.balanced(doc.title)]
    cc = layout.break_lines([Run("body", f"抄送：{doc.cc}")], size=FOOT_PT, width=BLOCK_W - 2 * FOOT_PT, track=0.0)
    return title, len(cc)


def render(doc: Doc) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(35 - 7) - Pt(14)  # the folio's top edge 7 mm below the text block
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    document.settings.odd_and_even_pages_header_footer = True
    _cell_styles(document)
    _folio(section.footer, right=True)
    _folio(section.even_page_footer, right=False)

    mark = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, spacing=Pt(40), before=35 / 25.4 * 72)
    _font(mark.add_run(doc.issuer), TITLE_FONT, min(36, 420 / max(len(doc.issuer), 1)), RED)
    _paragraph(document, indent=False)
    number = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    if doc.doc_number:
        _font(number.add_run(doc.doc_number), BODY_FONT, 16, condense=True)
    number.paragraph_format.space_after = Mm(4)
    _rule(number, "bottom", 12, "FF0000")
    _paragraph(document, indent=False)
    title = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    title_lines, cc_lines = _measured(doc)
    for i, line in enumerate(title_lines):
        if i:
            brk = title.add_run()
            _font(brk, TITLE_FONT, 22)
            brk.add_break(WD_BREAK.LINE)
        _font(title.add_run(line), TITLE_FONT, 22)
    _paragraph(document, indent=False)
    if doc.addressee_line:
        _text(document, f"{doc.addressee_line}：", indent=False)
    for para in doc.intro:
        _body(document, para)
    for sec in doc.sections:
        _text(document, sec.heading, HEI_FONT)
        for para in sec.paragraphs:
            _body(document, para)
    _paragraph(document)
    titles = doc.attachment_titles
    if len(titles) == 1:
        _text(document, f"附件：{titles[0]}")
    else:  # 7.3.4: 附件：1.XXX, the next numbers under the first
        _text(document, f"附件：1.{titles[0]}")
        for n, title in enumerate(titles[1:], start=2):
            _text(document, f"{n}.{title}").paragraph_format.first_line_indent = Pt(5 * PITCH_PT)
    _paragraph(document)
    sign = _text(document, doc.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    sign.paragraph_format.right_indent = Pt(2 * PITCH_PT)
    if doc.issue_date_text:
        date = _text(document, doc.issue_date_text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        date.paragraph_format.right_indent = Pt(4 * PITCH_PT)

    label = _text(document, "附件1" if doc.score_rows else "附件", HEI_FONT, indent=False,
                  align=WD_ALIGN_PARAGRAPH.LEFT)
    label.paragraph_format.page_break_before = True
    _paragraph(document, indent=False)
    att = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _font(att.add_run(doc.attachment_title), TITLE_FONT, 22)
    _append(document, table_xml(doc))
    if doc.score_rows:
        _paragraph(document, indent=False, spacing=Pt(1))  # a table must be followed by a paragraph
        label = _text(document, "附件2", HEI_FONT, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
        label.paragraph_format.page_break_before = True
        _paragraph(document, indent=False)
        att = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        _font(att.add_run(doc.score_title), TITLE_FONT, 22)
        _append(document, score_table_xml(doc))
        notes = _paragraph(document, indent=False, spacing=Pt(SCORE_LINE_TW / 20), align=WD_ALIGN_PARAGRAPH.LEFT)
        _font(notes.add_run(doc.score_notes), BODY_FONT, 9)
    if doc.cc or doc.issue_date_text:
        _paragraph(document, indent=False, spacing=Pt(1))  # a table must be followed by a paragraph
        lines = (cc_lines if doc.cc else 0) + (1 if doc.issue_date_text else 0)
        space, new_page = filler_twips(doc, lines)
        filler = _paragraph(document, indent=False, spacing=Pt(space / 20))
        filler.paragraph_format.page_break_before = new_page
        for xml in colophon_xml(doc):
            _append(document, xml)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
