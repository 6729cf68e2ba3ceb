"""Order attachments (see portal.uploads): stored under UPLOAD_FOLDER/orders/<order id>/ and served only
through the order's view, to users who may see the order."""
from __future__ import annotations

import secrets
from pathlib import Path

from portal.clock import now
from portal.extensions import db
from portal.orders.events import append_event
from portal.orders.records import Attachment
from portal.uploads import INLINE_TYPES, display_name, read_upload, resolve_ole, stored_path, write_file

__all__ = ["INLINE_TYPES", "attachment_path", "save_attachment"]

def save_attachment(order, storage, actor, *, reply=None, task=None) -> Attachment:
    """Check the file by content and size, store it, and put it on the order's record (with the task it
    belongs to, for a co-unit's or a sub-unit's files)."""
    data, ext, ctype = read_upload(storage)
    ext, ctype = resolve_ole(ext, ctype, storage.filename)
    relative = Path("orders") / str(order.id) / f"{secrets.token_hex(16)}.{ext}"
    attachment = Attachment(order_id=order.id, reply_id=reply.id if reply else None,
                            task_id=task.id if task else None,
                            original_name=display_name(storage.filename, ext), stored_name=relative.as_posix(),
                            content_type=ctype, size=len(data), uploaded_by_id=actor.id, uploaded_at=now())
    db.session.add(attachment)
    facts = {"size": len(data)}
    if task is not None:
        facts.update(task_id=task.id, unit_id=task.unit_id, unit=task.unit.short_name)
    append_event(order, "attach", actor, text=attachment.original_name, data=facts)
    write_file(relative, data)
    db.session.flush()
    return attachment


def attachment_path(attachment: Attachment) -> Path:
    return stored_path(attachment.stored_name)
