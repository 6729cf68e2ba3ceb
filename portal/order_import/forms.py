"""The orders upload form."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField


class OrderImportForm(FlaskForm):
    file = FileField("导入文件", validators=[
        FileRequired("请选择要导入的文件。"),
        FileAllowed(["csv", "xlsx", "txt"], "只支持 CSV 或 XLSX 文件。"),
    ])
    dry_run = BooleanField("仅预检，不写入")
    create_subjects = BooleanField("新建文件中不存在的事项分类（如“社会保障/养老保险”）")
