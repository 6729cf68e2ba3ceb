"""One circular, three formats, all from the frozen snapshot and texts."""
from __future__ import annotations

from portal.circulars import document

FORMATS = ("pdf", "docx", "xlsx")
MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(doc: document.Doc, fmt: str) -> bytes:
    if fmt == "pdf":
        from portal.circulars.render_pdf import render as pdf
        return pdf(doc)
    if fmt == "docx":
        from portal.circulars.render_docx import render as docx
        return docx(doc)
    if fmt == "xlsx":
        from portal.circulars.render_xlsx import render as xlsx
        return xlsx(doc)
    raise ValueError(fmt)


def render_circular(circular, fmt: str) -> bytes:
    return render(document.from_circular(circular), fmt)


def stored(circular, fmt: str):
    """The file stored when the circular was issued (None for a draft, or one issued before files were kept)."""
    return next((o for o in circular.outputs if o.fmt == fmt), None)


def content(circular, fmt: str) -> bytes:
    """What a download serves: the stored bytes of an issued circular, a fresh rendering of a draft."""
    kept = stored(circular, fmt)
    return kept.content if kept is not None else render_circular(circular, fmt)


def filename(circular, fmt: str) -> str:
    """通报-2018-08-01至2018-08-31.pdf"""
    return f"通报-{circular.period_start:%Y%m%d}-{circular.period_end:%Y%m%d}.{fmt}"
