"""Read back where a PDF put its text: words with their boxes in mm from the page's top-left corner
(`pdftotext -bbox`, poppler-utils), and which font drew each text run (pypdf)."""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from pypdf import PdfReader

PT = 25.4 / 72  # mm per point


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height_pt(self) -> float:
        return (self.y1 - self.y0) / PT


def words(path: Path) -> list[list[Word]]:
    """Per page, the words poppler finds (a CJK line without spaces is one word)."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append([
            Word(unescape(m.group(5)), *(float(m.group(i)) * PT for i in range(1, 5)))
            for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                                 page)
        ])
    return pages


def lines(page: list[Word]) -> list[Word]:
    """Words on the same baseline joined into one line (a widely justified line may come as several words);
    a line's text has no spaces, its box spans its words."""
    out: list[Word] = []
    for w in sorted(page, key=lambda w: (round(w.y1, 1), w.x0)):
        if out and abs(out[-1].y1 - w.y1) < 0.2 and abs(out[-1].height_pt - w.height_pt) < 0.5:
            last = out[-1]
            out[-1] = Word(last.text + w.text, last.x0, min(last.y0, w.y0), w.x1, max(last.y1, w.y1))
        else:
            out.append(w)
    return out


def fonts_of_text(path: Path) -> list[tuple[str, str]]:
    """(font name, text) of every text run, in drawing order."""
    runs: list[tuple[str, str]] = []

    def visit(text, _cm, _tm, font, _size):
        if text.strip() and font is not None:
            runs.append((str(font.get("/BaseFont", "")), text))

    for page in PdfReader(str(path)).pages:
        page.extract_text(visitor_text=visit)
    return runs


def page_content(path: Path, index: int) -> str:
    page = PdfReader(str(path)).pages[index]
    return page.get_contents().get_data().decode("latin-1")


def pdf_fonts(path) -> list[dict]:
    """Parse `pdffonts`: one dict per font with its name, type and whether it is embedded."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    header, rule = out[0], out[1]
    cols = [m.span() for m in re.finditer(r"-+", rule)]
    names = [header[a:b].strip() for a, b in cols]
    return [dict(zip(names, (line[a:b].strip() for a, b in cols))) for line in out[2:]]
