"""`flask circular render`: the draft of a period in the format of the file's extension."""
from __future__ import annotations

import io
import subprocess

from docx import Document
from openpyxl import load_workbook

from portal.circulars.models import Circular
from portal.extensions import db
from tests.circulars.helpers import august


def _render(runner, out, *extra):
    return runner.invoke(args=["circular", "render", "--from", "2018-08-01", "--to", "2018-08-31",
                               "--as-of", "2018-09-29 09:00", "--out", str(out), *extra])


def test_render_each_format(runner, tmp_path):
    august()
    result = _render(runner, tmp_path / "c.pdf")
    assert result.exit_code == 0, result.output
    assert "工单 3 件" in result.output
    text = subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True).stdout
    assert "共接听群众来电4件" in text.replace("\n", "")
    assert _render(runner, tmp_path / "c.docx").exit_code == 0
    body = "".join(p.text for p in Document(str(tmp_path / "c.docx")).paragraphs)
    assert "形成工单办理3件" in body and "恒口示范区1件工单任务逾期未办结" in body
    assert _render(runner, tmp_path / "c.xlsx").exit_code == 0
    ws = load_workbook(io.BytesIO((tmp_path / "c.xlsx").read_bytes()))["各单位办理情况"]
    assert [c.value for c in ws[ws.max_row]][1:4] == ["合计", 3, 1]
    assert db.session.scalars(db.select(Circular)).first() is None  # rendering saves nothing


def test_render_refuses_an_unknown_extension_and_bad_times(runner, tmp_path):
    result = _render(runner, tmp_path / "c.txt")
    assert result.exit_code != 0 and "扩展名须为 .pdf、.docx 或 .xlsx" in result.output
    result = runner.invoke(args=["circular", "render", "--from", "2018-08-01", "--to", "2018-08-31",
                                 "--as-of", "昨天", "--out", str(tmp_path / "c.pdf")])
    assert result.exit_code != 0 and "YYYY-MM-DD HH:MM" in result.output
    assert not (tmp_path / "c.pdf").exists()
