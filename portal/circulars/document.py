"""The printable circular: one structure built from the frozen snapshot and the texts, rendered to
HTML (preview), PDF, DOCX and XLSX alike so every output says the same thing."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from portal.circulars import drafting
from portal.circulars.snapshot import KINDS, parse_dt
from portal.orders.enums import KIND_LABELS
from portal.scores import snapshot as scores

LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
LEVEL2 = re.compile(r"^（[一二三四五六七八九十]+）")


@dataclass(frozen=True)
class Para:
    """A paragraph: `lead` is a heading printed in its own face (黑体 for 一、, 楷体 for （一）)."""

    level: int  # 0 body, 1 一、, 2 （一）
    lead: str
    rest: str

    @property
    def text(self) -> str:
        return self.lead + self.rest


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: list[Para]


@dataclass
class Doc:
    issuer: str
    doc_number: str
    title: str
    addressee_line: str
    intro: list[Para]
    sections: list[Section]
    attachment_title: str
    issue_date_text: str
    cc: str
    header: list[str]
    rows: list[list[str]]
    total_row: list[str]
    kinds: list[dict] = field(default_factory=list)
    non_submitters: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    # 附件2 考核得分表 (only when the snapshot froze scores): group headings and unit rows, as scores.snapshot.table
    score_title: str = ""
    score_header: list[str] = field(default_factory=list)
    score_rows: list[tuple[str, list[str]]] = field(default_factory=list)
    score_notes: str = ""

    @property
    def attachment_titles(self) -> list[str]:
        """附件说明: one title, or 1. and 2. when the score table is attached."""
        return [self.attachment_title, self.score_title] if self.score_rows else [self.attachment_title]


def split_paragraphs(text: str) -> list[Para]:
    """One paragraph per non-empty line; a leading 一、/（一） heading ends at its first 。."""
    paras = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        level = 1 if LEVEL1.match(line) else 2 if LEVEL2.match(line) else 0
        if level:
            cut = line.find("。")
            lead, rest = (line[:cut + 1], line[cut + 1:]) if cut >= 0 else (line, "")
            paras.append(Para(level, lead, rest))
        else:
            paras.append(Para(0, "", line))
    return paras


def table_header(snapshot: dict) -> list[str]:
    header = ["序号", "承办单位", "工单总量", *(f"{KIND_LABELS[k]}类" for k in KINDS), "按期办结", "逾期办结", "未办结"]
    if show_in_progress(snapshot):
        header.append("在办")
    return [*header, "按期办结率"]


def show_in_progress(snapshot: dict) -> bool:
    """The seed's table has no 在办 column; it appears only when some order is still in time."""
    return bool(snapshot["totals"]["in_progress"])


def table_cells(row: dict, number: str, in_progress: bool) -> list[str]:
    cells = [number, row["short_name"], str(row["total"]), *(str(row["by_kind"][k.value]) for k in KINDS),
             str(row["on_time"]), str(row["late"]), str(row["overdue_open"])]
    if in_progress:
        cells.append(str(row["in_progress"]))
    return [*cells, row["rate_text"]]


def build(snapshot: dict, *, title: str, doc_number: str, issuer: str, addressee_line: str, texts: dict,
          issue_date: date | None, cc: str) -> Doc:
    wip = show_in_progress(snapshot)
    cases = split_paragraphs(drafting.cases_text(snapshot))
    bodies = {"s1": split_paragraphs(texts.get("s1", "")), "s2": cases,
              "s3": split_paragraphs(texts.get("s3", "")), "s4": split_paragraphs(texts.get("s4", ""))}
    present = [key for key in ("s1", "s2", "s3", "s4") if bodies[key]]
    # Numbered by position: without typical cases the sections read 一、二、三、, never 一、三、四、.
    sections = [Section(f"{drafting.NUMERALS[i]}、{drafting.HEADINGS[key]}", bodies[key])
                for i, key in enumerate(present)]
    return Doc(
        issuer=issuer, doc_number=doc_number, title=title, addressee_line=addressee_line,
        intro=split_paragraphs(texts.get("intro", "")),
        sections=sections,
        attachment_title=drafting.attachment_title(snapshot),
        issue_date_text=drafting.cn_date(issue_date) if issue_date else "",
        cc=cc.strip(),
        header=table_header(snapshot),
        rows=[table_cells(r, str(i), wip) for i, r in enumerate(snapshot["units"], start=1)],
        total_row=table_cells({**snapshot["totals"], "short_name": "合计"}, "", wip),
        kinds=snapshot.get("kinds", []),
        non_submitters=[
            {"title": g["title"], "deadline": parse_dt(g["deadline"]), "units": g["units"]}
            for g in snapshot.get("non_submitters", [])
        ],
        totals=snapshot["totals"],
        **_score_table(snapshot.get("scores")),
    )


def _score_table(frozen: dict | None) -> dict:
    if not frozen:
        return {}
    return {"score_title": scores.title(frozen), "score_header": scores.header(frozen),
            "score_rows": scores.table(frozen), "score_notes": scores.notes(frozen)}


def empty_sections(snapshot: dict, texts: dict) -> list[str]:
    """The names of the sections that would be left out (nothing to print), e.g. ["典型案例"]."""
    filled = {"s1": texts.get("s1", ""), "s2": drafting.cases_text(snapshot), "s3": texts.get("s3", ""),
              "s4": texts.get("s4", "")}
    return [drafting.HEADINGS[k] for k, text in filled.items() if not split_paragraphs(text)]


def from_circular(circular) -> Doc:
    return build(
        circular.snapshot, title=circular.title, doc_number=circular.doc_number or "", issuer=circular.issuer,
        addressee_line=circular.addressee_line or "", texts=circular.texts or {},
        issue_date=circular.issue_date, cc=circular.cc or "",
    )
