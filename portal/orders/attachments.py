"""Order attachments (see portal.uploads): stored under UPLOAD_FOLDER/orders/<order id>/ and served only
through the order's view, to users who may see the order.

A file is written before its row is committed, so every file written is remembered on the session until
the transaction ends: a commit keeps them, a rollback (or a session closed without commit) deletes them,
so no file outlives a row that was never saved. Savepoints are not tracked on their own: a file written
inside a savepoint that rolls back stays until the outer transaction ends.
"""
from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.clock import now
from portal.extensions import db
from portal.orders.events import append_event
from portal.orders.records import Attachment
from portal.uploads import INLINE_TYPES, display_name, read_upload, resolve_ole, stored_path, upload_root

__all__ = ["INLINE_TYPES", "attachment_path", "save_attachment"]

_UNCOMMITTED = "orders.uncommitted_files"


def save_attachment(order, storage, actor, *, reply=None) -> Attachment:
    """Check the file by content and size, store it, and put it on the order's record."""
    data, ext, ctype = read_upload(storage)
    ext, ctype = resolve_ole(ext, ctype, storage.filename)
    relative = Path("orders") / str(order.id) / f"{secrets.token_hex(16)}.{ext}"
    attachment = Attachment(order_id=order.id, reply_id=reply.id if reply else None,
                            original_name=display_name(storage.filename, ext), stored_name=relative.as_posix(),
                            content_type=ctype, size=len(data), uploaded_by_id=actor.id, uploaded_at=now())
    db.session.add(attachment)
    append_event(order, "attach", actor, text=attachment.original_name, data={"size": len(data)})
    _write(upload_root() / relative, data)
    db.session.flush()
    return attachment


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    db.session.info.setdefault(_UNCOMMITTED, []).append(target)
    target.write_bytes(data)


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session) -> None:
    if not session.in_nested_transaction():  # a released savepoint is not a commit yet
        session.info.pop(_UNCOMMITTED, None)


@event.listens_for(Session, "after_transaction_end")
def _delete_uncommitted_files(session, transaction) -> None:
    if transaction.parent is None and not transaction.nested:
        for path in session.info.pop(_UNCOMMITTED, []):
            path.unlink(missing_ok=True)


def attachment_path(attachment: Attachment) -> Path:
    return stored_path(attachment.stored_name)
