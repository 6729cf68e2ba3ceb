"""Uploaded files: recognised by their content (magic bytes), never by their name or the browser's word.

Images, PDF and Office files only, up to ATTACHMENT_MAX_BYTES. Files live under UPLOAD_FOLDER, outside
static/, with random names, and are served only through views that check who may see them.

A file is written before its row is committed, so every file written is remembered on the session until
the transaction ends: a commit keeps them, a rollback (or a session closed without commit) deletes them,
so no file outlives a row that was never saved. Savepoints are not tracked on their own: a file written
inside a savepoint that rolls back stays until the outer transaction ends.
"""
from __future__ import annotations

import io
import zipfile
from zlib import error as zlib_error
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.errors import RuleViolation
from portal.extensions import db
from portal.web.inputs import clean_text

_UNCOMMITTED = "uploads.uncommitted_files"

# (prefix, extension, content type); checked in order.
_MAGIC = (
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"GIF87a", "gif", "image/gif"),
    (b"GIF89a", "gif", "image/gif"),
    (b"BM", "bmp", "image/bmp"),
    (b"%PDF-", "pdf", "application/pdf"),
    # OLE2 compound file: Word 97-2003 .doc, Excel .xls, PowerPoint .ppt, WPS .wps/.et.
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole", "application/octet-stream"),
)
# An OLE2 file's format is not in its first bytes; trust the name only among these, else keep .ole.
_OLE_TYPES = {
    "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
    "wps": "application/vnd.ms-works", "et": "application/vnd.ms-excel", "dps": "application/vnd.ms-powerpoint",
}
_OOXML = (
    ("word/", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/bmp", "application/pdf"})
ALLOWED_HINT = "仅支持图片（JPG、PNG、GIF、BMP）、PDF 和 Office 文档（Word、Excel、PowerPoint）。"


def sniff(data: bytes) -> tuple[str, str] | None:
    """Return (extension, content type) recognised from the file's bytes, or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    for prefix, ext, ctype in _MAGIC:
        if data.startswith(prefix):
            return ext, ctype
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return None


# A zip (Office file) is refused before anything in it is inflated when its members claim more than this,
# or one member more than MAX_ZIP_RATIO times its compressed size: a few KB must not become gigabytes.
MAX_ZIP_TOTAL = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_RATIO = 200


class ZipBomb(ValueError):
    """The archive claims sizes no Office file of ours has."""


def check_zip(archive: zipfile.ZipFile) -> None:
    """Refuse an archive whose central directory declares too much; reads no member."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ZipBomb("too many members")
    total = 0
    for info in infos:
        total += info.file_size
        if total > MAX_ZIP_TOTAL:
            raise ZipBomb("too large when inflated")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise ZipBomb("compression ratio")


def read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    """At most `limit` bytes of one member, never inflating more (the declared size may lie)."""
    if archive.getinfo(name).file_size > limit:
        return None
    with archive.open(name) as member:
        data = member.read(limit + 1)
    return None if len(data) > limit else data


def _sniff_zip(data: bytes) -> tuple[str, str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive)
            names = archive.namelist()
            if "[Content_Types].xml" in names:
                for folder, ext, ctype in _OOXML:
                    if any(n.startswith(folder) for n in names):
                        return ext, ctype
            if "mimetype" in names:
                raw = read_member(archive, "mimetype", 100)
                ctype = (raw or b"").decode("ascii", "replace").strip()
                if ctype in _ODF:
                    return _ODF[ctype], ctype
    except (zipfile.BadZipFile, ZipBomb, OSError, KeyError, EOFError, RuntimeError, NotImplementedError, zlib_error):
        return None
    return None


def read_upload(storage) -> tuple[bytes, str, str]:
    """Read an uploaded file within the size limit; return (bytes, extension, content type)."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = storage.stream.read(limit + 1)
    name = storage.filename or "附件"
    if len(data) > limit:
        raise RuleViolation(f"文件“{name}”超过 {limit // (1024 * 1024)} MB，请压缩后再上传。")
    if not data:
        raise RuleViolation(f"文件“{name}”是空文件。")
    kind = sniff(data)
    if kind is None:
        raise RuleViolation(f"文件“{name}”的类型不受支持。{ALLOWED_HINT}")
    return data, *kind


def display_name(filename: str | None, ext: str) -> str:
    """The name shown and sent on download: no folders, no control characters, at most 200 characters."""
    name = clean_text(filename or "").replace("\t", " ").replace("\n", " ").replace("\r", " ")
    name = Path(name.replace("\\", "/")).name.strip() or f"附件.{ext}"
    return name[:200]


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])




def resolve_ole(ext: str, ctype: str, filename: str | None) -> tuple[str, str]:
    """An OLE2 file's format is not in its bytes: trust the name's suffix only among the Office kinds."""
    if ext != "ole":
        return ext, ctype
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    return (suffix, _OLE_TYPES[suffix]) if suffix in _OLE_TYPES else (ext, ctype)


def stored_path(stored_name: str) -> Path:
    """The file's path under UPLOAD_FOLDER; refuses a name that would leave it."""
    root = upload_root().resolve()
    path = (root / stored_name).resolve()
    if root not in path.parents:
        raise RuleViolation("附件路径无效。")
    return path


def write_file(relative: Path | str, data: bytes) -> Path:
    """Write an upload under UPLOAD_FOLDER; it is deleted again if the session's transaction does not commit."""
    target = upload_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    db.session.info.setdefault(_UNCOMMITTED, []).append(target)
    target.write_bytes(data)
    return target


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session) -> None:
    if not session.in_nested_transaction():  # a released savepoint is not a commit yet
        session.info.pop(_UNCOMMITTED, None)


@event.listens_for(Session, "after_transaction_end")
def _delete_uncommitted_files(session, transaction) -> None:
    if transaction.parent is None and not transaction.nested:
        for path in session.info.pop(_UNCOMMITTED, []):
            path.unlink(missing_ok=True)
