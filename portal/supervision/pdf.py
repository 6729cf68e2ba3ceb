"""The PDF of one 督办单 (A4, the circulars' faces embedded, reportlab platypus)."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.circulars import fonts
from portal.orders.notices import SupervisionNotice
from portal.orders.privacy import for_unit, quote_for_unit

CENTRE = "市12345便民服务中心"


def _styles(names: dict[str, str]) -> dict[str, ParagraphStyle]:
    base = dict(wordWrap="CJK", leading=26, fontSize=16)
    return {
        "mark": ParagraphStyle("mark", fontName=names["title"], fontSize=26, leading=34, alignment=TA_CENTER,
                               textColor=colors.Color(1, 0, 0), wordWrap="CJK"),
        "number": ParagraphStyle("number", fontName=names["body"], alignment=TA_CENTER, **base),
        "title": ParagraphStyle("title", fontName=names["title"], fontSize=22, leading=32, alignment=TA_CENTER,
                                wordWrap="CJK"),
        "body": ParagraphStyle("body", fontName=names["body"], firstLineIndent=32, **base),
        "plain": ParagraphStyle("plain", fontName=names["body"], **base),
        "cell": ParagraphStyle("cell", fontName=names["body"], fontSize=12, leading=18, wordWrap="CJK"),
        "head": ParagraphStyle("head", fontName=names["hei"], fontSize=12, leading=18, wordWrap="CJK"),
        "sign": ParagraphStyle("sign", fontName=names["body"], alignment=TA_RIGHT, **base),
    }


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def render(notice: SupervisionNotice) -> bytes:
    """The notice as a unit reads it (the caller masked as on the unit's pages)."""
    order, unit = notice.order, notice.unit
    st = _styles(fonts.register(fonts.faces()))
    rows = [
        ("工单编号", order.number), ("受理时间", f"{order.accepted_at:%Y年%m月%d日 %H:%M}"),
        ("诉求标题", for_unit(order, "title")), ("诉求内容", for_unit(order, "content")),
        ("办理时限", f"{order.handle_deadline:%Y年%m月%d日 %H:%M}" if order.handle_deadline else "—"),
    ]
    table = Table([[_p(k, st["head"]), _p(v, st["cell"])] for k, v in rows], colWidths=[28 * mm, 128 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        _p(f"{CENTRE}督办单", st["mark"]), Spacer(1, 4 * mm), _p(notice.number, st["number"]),
        HRFlowable(width="100%", thickness=1, color=colors.Color(1, 0, 0), spaceBefore=2 * mm, spaceAfter=6 * mm),
        _p(f"关于督促办理{order.number}号工单的督办单", st["title"]), Spacer(1, 6 * mm),
        _p(f"{unit.full_name}：", st["plain"]),
        _p(f"你单位承办的{order.number}号工单经催办仍未按要求办理。现予督办，请接此督办单后立即办理，"
           "并将办理结果按时回复市12345便民服务中心。逾期仍未办理的，将列入通报。", st["body"]),
        _p(f"督办要求：{quote_for_unit(order, notice.text)}", st["body"]), Spacer(1, 4 * mm), table,
        Spacer(1, 12 * mm), _p(CENTRE, st["sign"]), _p(f"{notice.issued_at:%Y年%m月%d日}", st["sign"]),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=37 * mm,
                            bottomMargin=35 * mm, title=f"督办单 {notice.number}", author=CENTRE)
    doc.build(story)
    return buffer.getvalue()
