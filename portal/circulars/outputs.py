"""One circular, three formats, all from the frozen snapshot and texts."""
from __future__ import annotations

from portal.circulars import document

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


def filename(circular, fmt: str) -> str:
    """通报-2018-08-01至2018-08-31.pdf"""
    return f"通报-{circular.period_start:%Y%m%d}-{circular.period_end:%Y%m%d}.{fmt}"
