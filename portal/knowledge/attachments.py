"""Entry attachments (see portal.uploads) under UPLOAD_FOLDER/kb/, named at random; served only through a
checked view."""
from __future__ import annotations

import secrets
from pathlib import Path

from werkzeug.datastructures import FileStorage

from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge.lifecycle import move
from portal.knowledge.models import EntryStatus, KBAttachment, KBEntry
from portal.knowledge.services import start_revision
from portal.uploads import display_name, read_upload, resolve_ole, stored_path, write_file

MAX_PER_ENTRY = 10


def path_of(attachment: KBAttachment) -> Path:
    return stored_path(f"kb/{attachment.stored_name}")


def save(actor, entry: KBEntry, upload: FileStorage) -> KBAttachment:
    """Attach a file; on a published entry this starts a revision (the file waits for review with it)."""
    published = entry.status == EntryStatus.PUBLISHED
    move(entry, "attach", actor)
    if len(entry.attachments) >= MAX_PER_ENTRY:
        raise RuleViolation(f"每个条目最多 {MAX_PER_ENTRY} 个附件。")
    data, ext, ctype = read_upload(upload)
    ext, ctype = resolve_ole(ext, ctype, upload.filename)
    stored = f"{secrets.token_hex(16)}.{ext}"
    write_file(Path("kb") / stored, data)
    attachment = KBAttachment(entry=entry, filename=display_name(upload.filename, ext), stored_name=stored,
                              size=len(data), content_type=ctype, uploaded_by_id=actor.id)
    db.session.add(attachment)
    if published:
        start_revision(actor, entry)
    db.session.flush()
    return attachment


def remove_files(stored_names: list[str]) -> None:
    """Remove the files of deleted attachments (after the commit that deleted their rows)."""
    for name in stored_names:
        stored_path(f"kb/{name}").unlink(missing_ok=True)
