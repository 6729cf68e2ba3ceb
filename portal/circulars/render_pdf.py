"""PDF of a circular in the GB/T 9704-2012 layout: the text pages drawn by xhtml2pdf, the attachment by reportlab.

Every measure is the standard's: A4; text block 156 x 225 mm, 37 mm from the top and 28 mm from the
left; 22 lines of 28 characters of 3号 (16 pt) text, justified; the issuing mark's top edge 35 mm
below the text block's top edge (7.2.1), the 发文字号 two lines below it and the red rule 4 mm under
that (7.2.4-7.2.5); the title two lines below the rule in 2号 (22 pt), broken into balanced lines
(7.3.1); page numbers "— N —" in 4号 (14 pt), 7 mm below the text block, one character in from the
right edge on odd pages and from the left edge on even pages (7.5); the attachment on its own pages
(8); the 版记 (抄送, 印发机关和印发日期) at the foot of the last page between 0.35 mm rules (7.4).

Lines are laid out here, CJK style (any character may end a line, with 禁则; numbers never cut), so
the text block holds exactly 28 characters at a 15.79 pt pitch: text_plan places every line, and
xhtml2pdf sets them from templates/circulars/pdf_text.html (one paragraph a line, its x and letter
spacing given). The attachment pages are reportlab flowables appended to xhtml2pdf's story: the table is
one platypus LongTable (its header row repeated on every page), so drawing it costs what reportlab's
table costs; one document lays out both and numbers the pages straight through.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, LongTable, PageBreak, PageTemplate, Spacer, TableStyle
from xhtml2pdf.config.resources import ResourceAccessPolicy
from xhtml2pdf.context import pisaContext
from xhtml2pdf.document import pisaStory

from portal.circulars import fonts
from portal.circulars.document import Doc

PAGE_W, PAGE_H = A4
LEFT, TOP = 28 * mm, 37 * mm
BLOCK_W, BLOCK_H = 156 * mm, 225 * mm
BOTTOM = PAGE_H - TOP - BLOCK_H  # 35 mm
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
LINE = BLOCK_H / LINES_PER_PAGE  # 28.99 pt
BODY_PT, TITLE_PT, FOOT_PT, TABLE_PT = 16, 22, 14, 10.5
PITCH = BLOCK_W / CHARS_PER_LINE  # 15.79 pt: 28 characters of 16 pt fill 156 mm
MARK_GAP = 35 * mm  # issuing mark's top edge below the text block's top edge
RULE_GAP = 4 * mm  # red rule below the 发文字号
FOLIO_GAP = 7 * mm  # page number below the text block
THICK, THIN = 0.35 * mm, 0.25 * mm
RED = colors.Color(1, 0, 0)
# 禁则: no line starts with closing punctuation, none ends with an opening one.
NO_START = set("，。、；：？！）》」』”’%％…—·,.;:?!)]")
NO_END = set("（《「『“‘([")
MEASURES = set("年月日号件个时分秒")  # a number keeps its unit on the same line (8月, 20件)


@dataclass(frozen=True)
class Run:
    role: str  # fonts.ROLES
    text: str


def _tokens(runs: list[Run]):
    """Unbreakable tokens: one CJK character, or a run of ASCII letters/digits (6196, 2018072106, 97%)."""
    for run in runs:
        text, i = run.text, 0
        while i < len(text):
            j = i + 1
            if text[i].isascii() and text[i].isalnum():
                while j < len(text) and text[j].isascii() and (text[j].isalnum() or text[j] in ".%"):
                    j += 1
            yield Run(run.role, text[i:j])
            i = j


class Layout:
    """Measures text in the chosen faces. `track` is the extra space after each character."""

    def __init__(self, names: dict[str, str]):
        self.names = names
        self._widths: dict[tuple[str, str], float] = {}  # (role, token) -> width at 1 pt

    def _unit_width(self, role: str, text: str) -> float:
        key = (role, text)
        if key not in self._widths:
            self._widths[key] = pdfmetrics.stringWidth(text, self.names[role], 1.0)
        return self._widths[key]

    def width(self, runs, size: float, track: float = 0.0) -> float:
        return sum(self._unit_width(r.role, r.text) * size + track * len(r.text) for r in runs)

    def ascent(self, role: str) -> float:
        return pdfmetrics.getFont(self.names[role]).face.ascent / 1000

    def break_lines(self, runs: list[Run], size: float = BODY_PT, width: float = BLOCK_W, indent: float = 0.0,
                    track: float | None = None) -> list[list[Run]]:
        """Fill lines of `width` (the first indented), moving a closing mark, or an opening mark that would
        end a line, with its neighbour (禁则)."""
        track = PITCH - BODY_PT if track is None else track
        lines, line, used, avail = [], [], 0.0, width - indent
        for tok in _tokens(runs):
            w = self.width([tok], size, track)
            if line and used + w > avail + 0.01:
                carry = []
                if tok.text[0] in NO_START and len(line) > 1:
                    carry = [line.pop()]
                while len(line) > 1 and line[-1].text[-1] in NO_END:
                    carry.insert(0, line.pop())
                lines.append(line)
                line, avail = carry, width
                used = self.width(line, size, track)
            line.append(tok)
            used += w
        if line:
            lines.append(line)
        return [_merge(ln) for ln in lines]

    def balanced(self, text: str, role: str = "title", size: float = TITLE_PT) -> list[list[Run]]:
        """Break a title into the fewest lines of the text block, as equal as the words allow (7.3.1:
        词意完整，排列对称): never inside a number or a number and its unit, never leaving the closing
        “的通报” alone; between two Chinese characters only at a cost (it may cut a word)."""
        toks = _title_tokens(text)
        widths = [pdfmetrics.stringWidth(t, self.names[role], size) for t in toks]
        n, total = len(toks), sum(widths)
        cost_at = [_break_cost(toks, i) for i in range(n + 1)]  # cost of a break before token i
        for k in range(1, n + 1):
            target = total / k
            best = _best_split(widths, cost_at, k, target)
            if best is not None:
                cuts = [0, *best, n]
                return [[Run(role, "".join(toks[a:b]))] for a, b in zip(cuts, cuts[1:])]
        return [[Run(role, text)]]


def _merge(line: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in line:
        if merged and merged[-1].role == run.role:
            merged[-1] = Run(run.role, merged[-1].text + run.text)
        else:
            merged.append(run)
    return merged


def _title_tokens(text: str) -> list[str]:
    toks: list[str] = []
    for run in _tokens([Run("title", text)]):
        t = run.text
        if toks and (toks[-1][-1].isdigit() and t in MEASURES or t in NO_START or toks[-1][-1] in NO_END
                     or (toks[-1].endswith("月") and t == "份")):
            toks[-1] += t
        else:
            toks.append(t)
    # The closing document type (…的通报, …的通知) stays with what it closes.
    if len(toks) >= 4 and toks[-3] == "的":
        toks[-4:] = ["".join(toks[-4:])]
    return toks


def _break_cost(toks: list[str], i: int) -> float:
    if i in (0, len(toks)):
        return 0.0
    before, after = toks[i - 1][-1], toks[i][0]
    if before.isascii() != after.isascii() or before in "于的和与及在对" or after in "关":
        return 0.0  # a script boundary or after a function word: words stay whole
    return 1.5  # may cut a word


def _best_split(widths, cost_at, k, target):
    """Cuts giving k lines within the block, minimising imbalance (in characters) plus break costs."""
    n = len(widths)
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)
    best = {(0, 0): (0.0, [])}
    for lines in range(1, k + 1):
        for end in range(1, n + 1):
            options = []
            for start in range(end):
                prev = best.get((lines - 1, start))
                w = prefix[end] - prefix[start]
                if prev is None or w > BLOCK_W + 0.01:
                    continue
                cost = prev[0] + abs(w - target) / TITLE_PT + (cost_at[start] if start else 0.0)
                options.append((cost, prev[1] + ([start] if start else [])))
            if options:
                best[(lines, end)] = min(options, key=lambda o: o[0])
    result = best.get((k, n))
    return None if result is None else result[1]


class TextLine(Flowable):
    """One printed line, `height` tall: runs set at `size`, aligned left (after `indent`), centred, right
    (`right` in from the edge) or justified over the whole width."""

    def __init__(self, layout: Layout, runs: list[Run], *, size=BODY_PT, align="left", indent=0.0, right=0.0,
                 height=LINE, track=None, color=colors.black):
        super().__init__()
        self.layout, self.runs, self.size, self.align = layout, runs, size, align
        self.indent, self.right, self.height, self.color = indent, right, height, color
        self.track = (PITCH - BODY_PT if size == BODY_PT else 0.0) if track is None else track

    def wrap(self, avail_w, avail_h):
        return BLOCK_W, self.height

    def draw(self):
        self.paint(self.canv)

    def placement(self) -> tuple[float, float, float]:
        """(x of the first character, space after each character, baseline above the line's foot)."""
        chars = sum(len(r.text) for r in self.runs)
        natural = self.layout.width(self.runs, self.size)
        space = self.track
        if self.align == "justify" and chars > 1:
            space = (BLOCK_W - self.indent - natural) / (chars - 1)
        width = natural + space * (chars - 1)
        x = {"left": self.indent, "justify": self.indent, "center": (BLOCK_W - width) / 2,
             "right": BLOCK_W - self.right - width}[self.align]
        # Glyph boxes (ascent over the baseline) sit in the middle of the line.
        ascent = self.layout.ascent(self.runs[0].role) if self.runs else 0.88
        baseline = self.height - (self.height - self.size) / 2 - self.size * ascent + self.size * 0.06
        return x, space, baseline

    def paint(self, canv):
        x, space, baseline = self.placement()
        text = canv.beginText(x, baseline)
        text.setFillColor(self.color)
        text.setCharSpace(space)
        for run in self.runs:
            text.setFont(self.layout.names[run.role], self.size)
            text.textOut(run.text)
        canv.drawText(text)


class Mark(TextLine):
    """The issuing mark (发文机关标志): red, centred, its top edge at the top of the flowable."""

    def __init__(self, layout, issuer: str):
        size = min(36.0, (BLOCK_W - 2 * PITCH) / max(len(issuer), 1))
        super().__init__(layout, [Run("title", issuer)], size=size, align="center", track=size * 0.08,
                         color=RED, height=size * 1.1)

    def placement(self) -> tuple[float, float, float]:
        width = self.layout.width(self.runs, self.size, self.track) - self.track
        return (BLOCK_W - width) / 2, self.track, self.height - self.size * self.layout.ascent("title")

    def paint(self, canv):
        x, space, baseline = self.placement()
        text = canv.beginText(x, baseline)
        text.setFillColor(self.color)
        text.setCharSpace(space)
        text.setFont(self.layout.names["title"], self.size)
        text.textOut(self.runs[0].text)
        canv.drawText(text)


class Rule(Flowable):
    """A rule as wide as the text block, `gap` below the previous flowable."""

    def __init__(self, gap: float, weight: float, color=colors.black):
        super().__init__()
        self.gap, self.weight, self.color = gap, weight, color

    def wrap(self, avail_w, avail_h):
        return BLOCK_W, self.gap + self.weight

    def draw(self):
        self.canv.setStrokeColor(self.color)
        self.canv.setLineWidth(self.weight)
        y = self.weight / 2
        self.canv.line(0, y, BLOCK_W, y)


class Colophon(Flowable):
    """版记 at the foot of the last page: 0.35 mm rule, 抄送, 0.25 mm rule, 印发机关 and 印发日期, 0.35 mm rule on
    the text block's lower edge. It takes the rest of the page (or starts a new one when too little is left)."""

    def __init__(self, layout: Layout, cc_lines: list[list[Run]], issuer: str, date_text: str):
        super().__init__()
        self.layout, self.cc_lines, self.issuer, self.date_text = layout, cc_lines, issuer, date_text
        self.needed = LINE * (len(cc_lines) + (1 if date_text else 0))
        self.avail = self.needed

    def wrap(self, avail_w, avail_h):
        self.avail = avail_h if avail_h >= self.needed else self.needed
        return BLOCK_W, self.avail

    def draw(self):
        c, y = self.canv, 0.0
        rows: list[tuple[list[Run], list[Run] | None]] = []
        if self.date_text:
            rows.append(([Run("body", self.issuer)], [Run("body", f"{self.date_text}印发")]))
        rows.extend((line, None) for line in reversed(self.cc_lines))
        rules = [(0.0, THICK)]
        for i, (left, right) in enumerate(rows):
            indent = FOOT_PT if (right is not None or i == len(rows) - 1) else FOOT_PT + self.layout.width(
                [Run("body", "抄送：")], FOOT_PT)
            c.saveState()
            c.translate(0, y)
            TextLine(self.layout, left, size=FOOT_PT, indent=indent, track=0.0).paint(c)
            if right is not None:
                TextLine(self.layout, right, size=FOOT_PT, align="right", right=FOOT_PT, track=0.0).paint(c)
            c.restoreState()
            y += LINE
            if right is not None and self.cc_lines:
                rules.append((y, THIN))
        rules.append((y, THICK))
        c.setStrokeColor(colors.black)
        for at, weight in rules:
            c.setLineWidth(weight)
            # The outer rules lie inside the block: the last one's lower edge is the block's lower edge.
            offset = weight / 2 if at == 0 else (-weight / 2 if at == y else 0)
            c.line(0, at + offset, BLOCK_W, at + offset)


def column_widths(header: list[str]) -> list[float]:
    """Widths in mm filling the 156 mm text block: 序号, 承办单位 wide (11 characters at 10.5 pt), the counts
    narrow, the rate wide enough for “100%”."""
    narrow = (156 - 9 - 43 - 13) / (len(header) - 3)
    return [9, 43, *([narrow] * (len(header) - 3)), 13]


def split_header(text: str, per_line: int) -> str:
    """Header text in lines of at most `per_line` characters, shorter lines first (按期 / 办结率)."""
    count = -(-len(text) // max(per_line, 1))
    sizes = [len(text) // count + (1 if i >= count - len(text) % count else 0) for i in range(count)]
    out, at = [], 0
    for size in sizes:
        out.append(text[at:at + size])
        at += size
    return "\n".join(out)


def _header_cell(text: str, width_pt: float, name: str) -> str:
    return split_header(text, int((width_pt - 2) // pdfmetrics.stringWidth("中", name, TABLE_PT)))


def table(layout: Layout, doc: Doc) -> LongTable:
    widths = [w * mm for w in column_widths(doc.header)]
    body, hei = layout.names["body"], layout.names["hei"]
    data = [[_header_cell(h, w, hei) for h, w in zip(doc.header, widths)], *doc.rows,
            ["合计", "", *doc.total_row[2:]]]
    style = [
        ("FONT", (0, 0), (-1, -1), body, TABLE_PT, TABLE_PT * 1.2),
        ("FONT", (0, 0), (-1, 0), hei, TABLE_PT, TABLE_PT * 1.2),
        ("FONT", (0, -1), (-1, -1), hei, TABLE_PT, TABLE_PT * 1.2),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 1), ("RIGHTPADDING", (0, 0), (-1, -1), 1),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("SPAN", (0, -1), (1, -1)),
    ]
    # A unit name too long for its column is set smaller rather than cut or wrapped.
    for r, row in enumerate(doc.rows, start=1):
        w = pdfmetrics.stringWidth(row[1], body, TABLE_PT)
        if w > widths[1] - 2:
            style.append(("FONTSIZE", (1, r), (1, r), TABLE_PT * (widths[1] - 2) / w))
    return LongTable(data, colWidths=widths, repeatRows=1, style=TableStyle(style))


SCORE_PT = 9.0


def score_column_widths(header: list[str]) -> list[float]:
    """Widths in mm of 附件2 filling the 156 mm block: 名次 (room for “3（并列）”), 承办单位, the points, 总分, 榜单."""
    narrow = (156 - 15 - 33 - 13 - 10) / (len(header) - 4)
    return [15, 33, *([narrow] * (len(header) - 4)), 13, 10]


def score_table(layout: Layout, doc: Doc) -> LongTable:
    """附件2 考核得分表: one LongTable, a heading row (满分) before each group's units, the header repeated."""
    widths = [w * mm for w in score_column_widths(doc.score_header)]
    body, hei = layout.names["body"], layout.names["hei"]
    per_line = [int((w - 2) // pdfmetrics.stringWidth("中", hei, SCORE_PT)) for w in widths]
    data = [[split_header(h, n) for h, n in zip(doc.score_header, per_line)]]
    style = [
        ("FONT", (0, 0), (-1, -1), body, SCORE_PT, SCORE_PT * 1.2),
        ("FONT", (0, 0), (-1, 0), hei, SCORE_PT, SCORE_PT * 1.2),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 1), ("RIGHTPADDING", (0, 0), (-1, -1), 1),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for kind, cells in doc.score_rows:
        r = len(data)
        if kind == "group":
            data.append([cells[0], *[""] * (len(widths) - 1)])
            style += [("SPAN", (0, r), (-1, r)), ("FONT", (0, r), (-1, r), hei, SCORE_PT, SCORE_PT * 1.2),
                      ("ALIGN", (0, r), (-1, r), "LEFT"), ("LEFTPADDING", (0, r), (-1, r), 4)]
            continue
        data.append(cells)
        for c, (text, width) in enumerate(zip(cells, widths)):  # too wide for its column: set smaller, never cut
            w = pdfmetrics.stringWidth(text, body, SCORE_PT)
            if w > width - 3:
                style.append(("FONTSIZE", (c, r), (c, r), SCORE_PT * (width - 3) / w))
    return LongTable(data, colWidths=widths, repeatRows=1, style=TableStyle(style))


def _signature(layout: Layout, issuer: str, date_text: str) -> list[Flowable]:
    """7.3.5.2: 署名 two characters in from the right; the date one line below, its first character two
    characters right of the 署名's first; a date longer than that keeps two characters and moves the 署名 left."""
    sign = layout.width([Run("body", issuer)], BODY_PT, PITCH - BODY_PT)
    if not date_text:
        return [TextLine(layout, [Run("body", issuer)], align="right", right=2 * PITCH)]
    date = layout.width([Run("body", date_text)], BODY_PT, PITCH - BODY_PT)
    sign_left = BLOCK_W - 2 * PITCH - sign
    date_left = sign_left + 2 * PITCH
    if date_left + date > BLOCK_W - 2 * PITCH:
        date_left = BLOCK_W - 2 * PITCH - date
        sign_left = date_left - 2 * PITCH
    return [TextLine(layout, [Run("body", issuer)], indent=sign_left),
            TextLine(layout, [Run("body", date_text)], indent=date_left)]


def _paragraph(layout: Layout, runs: list[Run], indent=2 * PITCH) -> list[Flowable]:
    lines = layout.break_lines(runs, indent=indent)
    return [TextLine(layout, line, indent=indent if i == 0 else 0.0,
                     align="justify" if i < len(lines) - 1 else "left") for i, line in enumerate(lines)]


def _para_runs(para) -> list[Run]:
    lead = {1: "hei", 2: "kai"}.get(para.level, "body")
    return ([Run(lead, para.lead)] if para.lead else []) + ([Run("body", para.rest)] if para.rest else [])


def text_plan(layout: Layout, doc: Doc) -> list[Flowable]:
    """The text pages, line by line: where every line goes and how its characters are spaced. These are
    reportlab flowables only as a plan; xhtml2pdf draws them (text_story)."""
    blank = Spacer(BLOCK_W, LINE)
    out: list[Flowable] = [Spacer(BLOCK_W, MARK_GAP), Mark(layout, doc.issuer), blank, blank]
    out.append(TextLine(layout, [Run("body", doc.doc_number)], align="center") if doc.doc_number else blank)
    out += [Rule(RULE_GAP, 1.0 * mm / 2, RED), blank]
    out += [TextLine(layout, line, size=TITLE_PT, align="center") for line in layout.balanced(doc.title)]
    out.append(blank)
    if doc.addressee_line:
        out += _paragraph(layout, [Run("body", f"{doc.addressee_line}：")], indent=0.0)
    for para in doc.intro:
        out += _paragraph(layout, _para_runs(para))
    for section in doc.sections:
        heading = _paragraph(layout, [Run("hei", section.heading)])
        heading[-1].keepWithNext = True  # a heading never ends a page
        out += heading
        for para in section.paragraphs:
            out += _paragraph(layout, _para_runs(para))
    out.append(blank)
    titles = doc.attachment_titles
    if len(titles) == 1:
        out += _paragraph(layout, [Run("body", f"附件：{titles[0]}")])
    else:  # 7.3.4: 附件：1.XXX, the next numbers under the first
        out += _paragraph(layout, [Run("body", f"附件：1.{titles[0]}")])
        for n, title in enumerate(titles[1:], start=2):
            out += _paragraph(layout, [Run("body", f"{n}.{title}")], indent=5 * PITCH)
    out.append(blank)
    out += _signature(layout, doc.issuer, doc.issue_date_text)
    return out


def _hex(color) -> str:
    return "#%02x%02x%02x" % tuple(round(v * 255) for v in color.rgb())


# Every paragraph of the template is one line, so its leading only sets how far the text cursor moves after
# the line (T*); kept small, a reader of the PDF's text (pypdf) does not take that move for a line break.
LEADING = 1.0


def html_items(layout: Layout, plan: list[Flowable]) -> list[dict]:
    """The plan as the template's items: spaces, rules and lines (x, letter spacing, padding above the line so
    its baseline lands where the plan puts it, xhtml2pdf setting a line's baseline one ascent below its top;
    padding below so the line takes its row)."""
    items = []
    for f in plan:
        if isinstance(f, Rule):
            items.append({"kind": "rule", "gap": f.gap, "weight": f.weight, "color": _hex(f.color)})
        elif isinstance(f, TextLine):
            x, space, baseline = f.placement()
            ascent = max(layout.ascent(r.role) for r in f.runs) * f.size
            pad = f.height - baseline - ascent
            items.append({"kind": "line", "x": x, "space": space, "size": f.size, "pad": pad,
                          "pad_after": f.height - pad - LEADING, "color": _hex(f.color),
                          "keep": getattr(f, "keepWithNext", False), "runs": f.runs})
        else:
            items.append({"kind": "space", "height": f.height})
    return items


def text_story(layout: Layout, doc: Doc) -> list[Flowable]:
    """The text pages drawn by xhtml2pdf from templates/circulars/pdf_text.html, in the faces registered
    with reportlab (fonts.register), so nothing is read from outside the portal."""
    template = current_app.jinja_env.get_template("circulars/pdf_text.html")  # no request context needed
    html = template.render(items=html_items(layout, text_plan(layout, doc)), fonts=layout.names,
                           leading=LEADING)
    context = pisaContext("")
    for name in set(layout.names.values()):
        context.registerFont(name)
    story = pisaStory(html, context=context, resource_policy=ResourceAccessPolicy(base_dir=Path.cwd())).story
    for flowable in story:
        # xhtml2pdf raises every paragraph's leading to its font size ("max"); the template's leading is meant.
        if getattr(flowable, "autoLeading", None) == "max":
            flowable.autoLeading = ""
    return story


def attachment_story(layout: Layout, doc: Doc) -> list[Flowable]:
    """The attachment pages, drawn by reportlab: heading, title, the LongTable and the 版记."""
    blank = Spacer(BLOCK_W, LINE)
    two = bool(doc.score_rows)
    out: list[Flowable] = [TextLine(layout, [Run("hei", "附件1" if two else "附件")]), blank,
                           TextLine(layout, [Run("title", doc.attachment_title)], size=TITLE_PT, align="center"),
                           Spacer(BLOCK_W, LINE / 2), table(layout, doc)]
    if two:
        out += [PageBreak(), TextLine(layout, [Run("hei", "附件2")]), blank,
                TextLine(layout, [Run("title", doc.score_title)], size=TITLE_PT, align="center"),
                Spacer(BLOCK_W, LINE / 2), score_table(layout, doc), Spacer(BLOCK_W, LINE / 4)]
        out += [TextLine(layout, line, size=SCORE_PT, height=SCORE_PT * 1.5, track=0.0)
                for line in layout.break_lines([Run("body", doc.score_notes)], size=SCORE_PT, track=0.0)]
    if doc.cc or doc.issue_date_text:
        cc_width = BLOCK_W - 2 * FOOT_PT
        cc_lines = layout.break_lines([Run("body", f"抄送：{doc.cc}")], size=FOOT_PT, width=cc_width,
                                      track=0.0) if doc.cc else []
        out.append(Colophon(layout, cc_lines, doc.issuer, doc.issue_date_text))
    return out


def story(layout: Layout, doc: Doc) -> list[Flowable]:
    return [*text_story(layout, doc), PageBreak(), *attachment_story(layout, doc)]


def _folio(layout: Layout):
    """— N — in 4号: right (one character in) on odd pages, left on even pages, 7 mm below the block."""
    def draw(canv, _doc):
        number = canv.getPageNumber()
        label = f"— {number} —"
        name = layout.names["body"]
        width = pdfmetrics.stringWidth(label, name, FOOT_PT)
        x = LEFT + BLOCK_W - FOOT_PT - width if number % 2 else LEFT + FOOT_PT
        baseline = BOTTOM - FOLIO_GAP - FOOT_PT * layout.ascent("body")
        canv.saveState()
        canv.setFont(name, FOOT_PT)
        canv.drawString(x, baseline, label)
        canv.restoreState()
    return draw


def render(doc: Doc) -> bytes:
    chosen = fonts.faces()
    layout = Layout(fonts.register(chosen))
    out = io.BytesIO()
    frame = Frame(LEFT, BOTTOM, BLOCK_W, BLOCK_H, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
                  id="block")
    template = BaseDocTemplate(out, pagesize=A4, title=doc.title, author=doc.issuer, creator="12345 门户",
                               initialFontName=layout.names["body"])
    template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_folio(layout))])
    template.build(story(layout, doc))
    return out.getvalue()
