"""DOCX of a circular for editing in WPS/Word, naming the official fonts of GB/T 9704-2012:
方正小标宋简体 (title), 仿宋_GB2312 (body), 黑体 (一、), 楷体_GB2312 （一）. Recipients who have them see them;
the East Asian font is set through w:eastAsia, which is what WPS and Word read for Chinese text."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from portal.circulars.document import Doc, Para

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
RED = RGBColor(0xFF, 0x00, 0x00)
LINE = Pt(28.95)  # 22 lines in the 225 mm text block


def _font(run, name: str, size: float, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    if color is not None:
        run.font.color.rgb = color


def _paragraph(document, *, align=None, indent=True, spacing=LINE):
    p = document.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = spacing
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(32)
    if align is not None:
        p.alignment = align
    return p


def _body(document, para: Para) -> None:
    p = _paragraph(document)
    if para.lead:
        _font(p.add_run(para.lead), HEI_FONT if para.level == 1 else KAI_FONT, 16)
    if para.rest:
        _font(p.add_run(para.rest), BODY_FONT, 16)


def _page_number_footer(section) -> None:
    """— PAGE — centred in the footer, 4号 (14 pt) 宋体."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), "宋体", 14)
    run = p.add_run()
    _font(run, "宋体", 14)
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    _font(p.add_run(" —"), "宋体", 14)


def _red_rule(paragraph) -> None:
    ppr = paragraph._element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "16"), ("w:space", "1"), ("w:color", "FF0000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _cell(cell, text: str, font: str, size: float = 10.5) -> None:
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), font, size)


def render(doc: Doc) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _page_number_footer(section)

    header = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, spacing=Pt(48))
    _font(header.add_run(doc.issuer), TITLE_FONT, 30, RED)
    rule = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    if doc.doc_number:
        _font(rule.add_run(doc.doc_number), BODY_FONT, 16)
    _red_rule(rule)
    _paragraph(document, indent=False)
    title = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, spacing=Pt(35))
    _font(title.add_run(doc.title), TITLE_FONT, 22)
    _paragraph(document, indent=False)
    if doc.addressee_line:
        _font(_paragraph(document, indent=False).add_run(f"{doc.addressee_line}："), BODY_FONT, 16)
    for para in doc.intro:
        _body(document, para)
    for sec in doc.sections:
        _font(_paragraph(document).add_run(sec.heading), HEI_FONT, 16)
        for para in sec.paragraphs:
            _body(document, para)
    _paragraph(document)
    _font(_paragraph(document).add_run(f"附件：{doc.attachment_title}"), BODY_FONT, 16)
    _paragraph(document)
    _paragraph(document)
    sign = _paragraph(document, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    sign.paragraph_format.right_indent = Pt(48)
    _font(sign.add_run(doc.issuer), BODY_FONT, 16)
    if doc.issue_date_text:
        date = _paragraph(document, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        date.paragraph_format.right_indent = Pt(32)
        _font(date.add_run(doc.issue_date_text), BODY_FONT, 16)
    if doc.cc:
        _paragraph(document)
        cc = _paragraph(document, indent=False, spacing=Pt(24))
        _font(cc.add_run(f"抄送：{doc.cc}"), BODY_FONT, 14)

    brk = _paragraph(document, indent=False)
    brk.add_run().add_break(WD_BREAK.PAGE)
    _font(_paragraph(document, indent=False).add_run("附件"), HEI_FONT, 16)
    att = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, spacing=Pt(30))
    _font(att.add_run(doc.attachment_title), TITLE_FONT, 18)
    table = document.add_table(rows=1, cols=len(doc.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, doc.header):
        _cell(cell, text, HEI_FONT)
    _repeat_header(table.rows[0])
    for row in doc.rows:
        for cell, text in zip(table.add_row().cells, row):
            _cell(cell, text, BODY_FONT)
    total = table.add_row().cells
    merged = total[0].merge(total[1])
    _cell(merged, "合计", HEI_FONT)
    for cell, text in zip(total[2:], doc.total_row[2:]):
        _cell(cell, text, HEI_FONT)
    widths = [Mm(8), Mm(42), *[Mm((156 - 63) / (len(doc.header) - 3))] * (len(doc.header) - 3), Mm(13)]
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
