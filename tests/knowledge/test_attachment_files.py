"""KB attachment files share the orders' rule: no file outlives a row that was never committed."""
from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage

from portal.extensions import db
from portal.knowledge import attachments, services
from tests.factories import UnitFactory
from tests.knowledge.factories import data, liaison

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def _upload(name="图.png"):
    return FileStorage(stream=io.BytesIO(PNG), filename=name, content_type="image/png")


def test_committed_file_is_kept_and_rolled_back_file_is_deleted(app, tmp_path):
    app.config["UPLOAD_FOLDER"], saved_folder = str(tmp_path), app.config["UPLOAD_FOLDER"]
    try:
        user = liaison(UnitFactory())
        entry = services.create_entry(user, user.unit_id, data("附件文件"))
        db.session.commit()
        kept = attachments.path_of(attachments.save(user, entry, _upload()))
        db.session.commit()
        dropped = attachments.path_of(attachments.save(user, entry, _upload("另一个.png")))
        assert dropped.exists()
        db.session.rollback()
        assert kept.read_bytes() == PNG
        assert not dropped.exists()
    finally:
        app.config["UPLOAD_FOLDER"] = saved_folder
