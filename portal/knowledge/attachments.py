"""Entry attachments on disk under UPLOAD_FOLDER/kb/, named at random; served only through a checked view."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge.models import KBAttachment, KBEntry

MAX_PER_ENTRY = 10


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "kb"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(attachment: KBAttachment) -> Path:
    return folder() / attachment.stored_name


def save(actor, entry: KBEntry, upload: FileStorage) -> KBAttachment:
    if actor.is_unit_user and actor.unit_id != entry.unit_id:
        raise RuleViolation("只能为本单位的条目上传附件。")
    if len(entry.attachments) >= MAX_PER_ENTRY:
        raise RuleViolation(f"每个条目最多 {MAX_PER_ENTRY} 个附件。")
    data = upload.read()
    limit = current_app.config.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    if not data:
        raise RuleViolation("附件是空文件。")
    if len(data) > limit:
        raise RuleViolation(f"附件不能超过 {limit // (1024 * 1024)} MB。")
    name = Path(upload.filename or "附件").name[-200:]
    suffix = Path(name).suffix.lower()[:10]
    stored = secrets.token_hex(16) + suffix
    (folder() / stored).write_bytes(data)
    attachment = KBAttachment(entry=entry, filename=name, stored_name=stored, size=len(data),
                              content_type=upload.mimetype or "application/octet-stream", uploaded_by_id=actor.id)
    db.session.add(attachment)
    db.session.flush()
    return attachment
