"""PDF of a circular in the GB/T 9704-2012 layout, through xhtml2pdf, with embedded TrueType CJK fonts.

Fonts (Debian packages the Makefile installs; TrueType outlines, so they embed, unlike STSong-Light
or the CFF Noto CJK): AR PL UMing for body and title (the 仿宋/小标宋 stand-ins), AR PL UKai for
（一） headings (楷体), WenQuanYi Zen Hei for 一、 headings (黑体). None has a bold face.
"""
from __future__ import annotations

import io
import threading
from pathlib import Path

from flask import current_app
from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus.tables import CellStyle

from portal.circulars.document import Doc

FONT_ROOT = Path("/usr/share/fonts")
FONTS = {  # CSS family: (file, face index in the collection)
    "circ-ming": (FONT_ROOT / "truetype/arphic/uming.ttc", 0),  # UMingCN
    "circ-kai": (FONT_ROOT / "truetype/arphic/ukai.ttc", 0),  # UKaiCN
    "circ-hei": (FONT_ROOT / "truetype/wqy/wqy-zenhei.ttc", 0),  # WenQuanYi Zen Hei
}
BASE_FONT = "CircularBase"
# reportlab names of the same faces, for measuring text (and the canvas's initial font).
MEASURE = {"circ-ming": BASE_FONT, "circ-kai": "CircularKai", "circ-hei": "CircularHei"}
BODY_PT = 16
TEXT_WIDTH_PT = 156 / 25.4 * 72 - 2  # the 156 mm text block, less a little for rounding
INDENT_PT = 2 * BODY_PT  # 首行缩进二字
# 禁则: no line starts with closing punctuation, none ends with an opening one.
NO_START = set("，。、；：？！）》」』”’%％…—·,.;:?!)]")
NO_END = set("（《「『“‘([")
_lock = threading.Lock()
_registered = False


class FontMissing(RuntimeError):
    pass


def font_files() -> dict[str, tuple[Path, int]]:
    """The font files, checked; the app may point CIRCULAR_FONT_ROOT elsewhere (same layout)."""
    root = Path(current_app.config.get("CIRCULAR_FONT_ROOT") or FONT_ROOT)
    files = {name: (root / path.relative_to(FONT_ROOT), index) for name, (path, index) in FONTS.items()}
    missing = [str(p) for p, _i in files.values() if not p.is_file()]
    if missing:
        raise FontMissing("缺少生成 PDF 所需的中文字体：" + "、".join(missing)
                          + "（请安装 fonts-arphic-uming、fonts-arphic-ukai、fonts-wqy-zenhei）。")
    return files


def _register_fonts(files) -> None:
    """Register the faces with reportlab once: to measure lines, and so that the canvas starts every
    page in the body face instead of the non-embedded Helvetica (every font in the file embeds)."""
    global _registered
    if _registered:
        return
    for family, name in MEASURE.items():
        path, index = files[family]
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(name, bold, italic, name)
    _registered = True


def _tokens(segments):
    """Split (family, text) runs into unbreakable tokens: one CJK character, or a run of ASCII
    letters/digits (a number like 6196 or 2018072106 is never cut)."""
    for family, text in segments:
        i = 0
        while i < len(text):
            j = i + 1
            if text[i].isascii() and text[i].isalnum():
                while j < len(text) and text[j].isascii() and (text[j].isalnum() or text[j] in ".%"):
                    j += 1
            yield family, text[i:j]
            i = j


def break_lines(segments, width: float = TEXT_WIDTH_PT, indent: float = INDENT_PT, size: float = BODY_PT):
    """Lay a paragraph out in lines of the text block, CJK style (any character may end a line, with the
    禁则 above). xhtml2pdf splits a long CJK paragraph across pages unreliably, so every printed line is
    a paragraph of its own and nothing is split."""
    lines, line, used = [], [], indent
    for family, tok in _tokens(segments):
        w = pdfmetrics.stringWidth(tok, MEASURE[family], size)
        if line and used + w > width:
            carry = []
            # Pull the line's last token down with a closing mark, or an opening mark that would end it.
            if tok[0] in NO_START and len(line) > 1:
                carry = [line.pop()]
            while len(line) > 1 and line[-1][1][-1] in NO_END:
                carry.insert(0, line.pop())
            lines.append(line)
            line = carry
            used = sum(pdfmetrics.stringWidth(t, MEASURE[f], size) for f, t in line)
        line.append((family, tok))
        used += w
    if line:
        lines.append(line)
    return [_merge(ln) for ln in lines]


def _merge(line):
    merged = []
    for family, tok in line:
        if merged and merged[-1][0] == family:
            merged[-1] = (family, merged[-1][1] + tok)
        else:
            merged.append((family, tok))
    return merged


def para_lines(para, body="circ-ming"):
    lead_face = {1: "circ-hei", 2: "circ-kai"}.get(para.level, body)
    segments = [(lead_face, para.lead), (body, para.rest)] if para.lead else [(body, para.rest)]
    return break_lines(segments)


def column_widths(header: list[str]) -> list[float]:
    """Widths in mm filling the 156 mm text block: 序号, 承办单位 wide, the counts narrow."""
    narrow = (156 - 8 - 42 - 13) / (len(header) - 3)
    return [8, 42, *([narrow] * (len(header) - 3)), 13]


def render(doc: Doc) -> bytes:
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    files = font_files()
    with _lock:
        _register_fonts(files)
    # The template alone, without the app's context processors: the CLI renders with no request or user.
    html = current_app.jinja_env.get_template("circulars/pdf.html").render( doc=doc, fonts={k: p.as_uri() for k, (p, _i) in files.items()},
        widths=column_widths(doc.header), para_lines=para_lines, break_lines=break_lines,
        cc_width=TEXT_WIDTH_PT - 28,
    )
    roots = tuple({p.parent for p, _i in files.values()})
    policy = ResourceAccessPolicy(base_dir=Path(current_app.root_path), extra_roots=roots, allow_remote=False)
    out = io.BytesIO()
    # The canvas and reportlab's table cells start in Helvetica, which is never embedded: start them in
    # the body face instead. Both settings are process-wide, so swap them only while we render.
    with _lock:
        saved = rl_config.canvas_basefontname, CellStyle.fontname
        rl_config.canvas_basefontname = CellStyle.fontname = BASE_FONT
        try:
            result = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=policy)
        finally:
            rl_config.canvas_basefontname, CellStyle.fontname = saved
    if result.err:
        raise RuntimeError(f"PDF 生成失败（{result.err} 处错误）。")
    return out.getvalue()
