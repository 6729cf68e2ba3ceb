"""Forms of the 事项分类 page and its import."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from portal.subjects.services import name_problem

ORDER_MAX = 999_999_999


def _name_rules(_form, field):
    problem = name_problem((field.data or "").strip())
    if problem:
        raise ValidationError(problem)


class SubjectForm(FlaskForm):
    """Add or edit a subject: its name, its parent (none = first level) and its place in the list."""

    name = StringField("分类名称", filters=[lambda v: (v or "").strip()],
                       validators=[DataRequired("请填写分类名称。"), _name_rules])
    parent_id = SelectField("上级分类", coerce=int, validate_choice=False, default=0)
    display_order = IntegerField("排序", validators=[
        Optional(), NumberRange(min=0, max=ORDER_MAX, message="排序为 0 及以上的整数。")])

    def set_parents(self, first_level, excluding=None) -> None:
        self.parent_id.choices = [(0, "（无，作为一级分类）")] + [
            (s.id, s.name + ("（已停用）" if not s.active else "")) for s in first_level
            if excluding is None or s.id != excluding.id]

    def validate_parent_id(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError("请选择列表中的上级分类（列表可能已变化，请刷新页面）。")


class SubjectImportForm(FlaskForm):
    file = FileField("导入文件", validators=[
        FileRequired("请选择要导入的文件。"),
        FileAllowed(["csv", "xlsx", "txt"], "只支持 CSV 或 XLSX 文件。"),
    ])
    dry_run = BooleanField("仅预检，不写入")
