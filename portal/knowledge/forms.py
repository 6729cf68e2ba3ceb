"""Forms of the knowledge base and campaigns; every input rule lives here."""
from __future__ import annotations

import re
from datetime import datetime, time

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (BooleanField, Form, RadioField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.knowledge import categories
from portal.knowledge import fields as rules
from portal.knowledge.fields import EntryData
from portal.knowledge.models import MATERIAL_KINDS, TITLE_MAX, CampaignStatus, EntryStatus, TargetMode
from portal.units.models import UNIT_GROUPS
from portal.web.fields import DateField, IntegerField, coerce_id
from portal.web.once import once_field

TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
DATE_MSG = "日期格式不正确，应为 2018-08-25。"


def _options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class EntryForm(FlaskForm):
    once = once_field()  # a double-click on 报送 records one entry (one submission) and shows it
    category = SelectField("类目", validate_choice=False, default="")
    title = StringField("标题", filters=[_strip], validators=[
        DataRequired("请填写标题。"), Length(max=TITLE_MAX, message=f"标题不能超过 {TITLE_MAX} 个字。")])
    answer = TextAreaField("答复内容", filters=[_strip], validators=[
        DataRequired("请填写答复内容。"), Length(max=10000, message="答复内容不超过 10000 个字。")])
    policy_basis = TextAreaField("政策依据", filters=[_strip], validators=[Length(max=5000, message="政策依据不超过 5000 个字。")])
    issuer = StringField("发文单位", filters=[_strip], validators=[Length(max=100, message="发文单位不超过 100 个字。")])
    material_kind = SelectField("材料性质", choices=_options((k, k) for k in MATERIAL_KINDS), default="常见问题",
                                invalid_choice_message="请选择材料性质。")
    keywords = StringField("关键字", filters=[_strip], description="多个关键字用顿号、逗号或空格分隔，每个不超过 20 个字。")
    valid_until = DateField("有效期至", validators=[Optional()], format="%Y-%m-%d")
    review_date = DateField("复核日期", validators=[Optional()], format="%Y-%m-%d")

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_categories(version.category if version is not None else "")
        if version is not None and not self.is_submitted():
            for name in ("category", "title", "answer", "policy_basis", "issuer", "material_kind",
                         "valid_until", "review_date"):
                getattr(self, name).data = getattr(version, name)
            self.keywords.data = "、".join(version.keywords or [])
        for f in (self.valid_until, self.review_date):
            f.render_kw = {"type": "date"}

    def _set_categories(self, kept: str) -> None:
        """The active categories; an entry keeps offering the one it has even once retired."""
        active = categories.active_names()
        self.category.choices = _options([("", "（不选）"), *((n, n) for n in active),
                                          *([(kept, f"{kept}（已停用）")] if kept and kept not in active else [])])

    def validate_category(self, field):
        if (field.data or "") not in {choice.value for choice in field.choices}:
            raise ValidationError("请从列表中选择类目（列表可能已变化，请刷新页面）。")

    def validate_keywords(self, field):
        errors = rules.keyword_errors(rules.split_keywords(field.data))
        if errors:
            raise ValidationError("；".join(errors) + "。")

    def validate_review_date(self, field):
        errors = rules.date_order_errors(self.valid_until.data, field.data)
        if errors:
            raise ValidationError(errors[0] + "。")

    def to_data(self) -> EntryData:
        return EntryData(title=self.title.data, answer=self.answer.data, category=self.category.data or "",
                         policy_basis=self.policy_basis.data or "", issuer=self.issuer.data or "",
                         material_kind=self.material_kind.data, keywords=rules.split_keywords(self.keywords.data),
                         valid_until=self.valid_until.data, review_date=self.review_date.data)


def _category_name_rules(_form, field):
    problem = categories.name_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class CategoryForm(FlaskForm):
    """Add or edit a KB 类目: its name and its place in the list."""

    name = StringField("类目名称", filters=[_strip], validators=[_category_name_rules])
    display_order = IntegerField("排序", validators=[
        Optional(), NumberRange(min=0, max=999_999_999, message="排序为 0 及以上的整数。")])


class ReturnForm(FlaskForm):
    reason = TextAreaField("退回原因", filters=[_strip], validators=[
        DataRequired("请填写退回原因，单位将看到它。"), Length(max=1000, message="退回原因不超过 1000 个字。")])


class ImportForm(FlaskForm):
    file = FileField("XLSX 文件", validators=[FileRequired("请选择要上传的文件。"),
                                             FileAllowed(["xlsx"], "请上传由模板填写的 XLSX 文件。")])
    submit_now = BooleanField("导入后直接报送中心审核")
    create_categories = BooleanField("新建文件中不存在的类目")


class AttachmentForm(FlaskForm):
    file = FileField("附件", validators=[FileRequired("请选择要上传的附件。"), FileAllowed(
        ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "jpg", "jpeg", "png", "gif", "bmp"],
        "附件只支持 PDF、Office 文档（Word、Excel、PowerPoint）或图片。")])


class EntryFilterForm(Form):
    """GET filters of the entries list (no CSRF: it changes nothing)."""

    status = SelectField("状态", choices=_options([("", "全部状态"), *[(s.value, s.label) for s in EntryStatus
                                                                     if s != EntryStatus.SUPERSEDED]]),
                         validate_choice=False)
    unit = IntegerField("单位", validators=[Optional()])
    due = BooleanField("仅看已过复核日期")
    q = StringField("标题", validators=[Optional(), Length(max=100)])
    page = IntegerField(default=1, validators=[Optional()])


def _parse_time(text: str) -> time:
    m = TIME_RE.match((text or "").strip())
    if not m:
        raise ValidationError("时间格式不正确，应为 23:59:59 或 17:30。")
    return time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))


class CampaignForm(FlaskForm):
    title = StringField("任务名称", filters=[_strip], validators=[
        DataRequired("请填写任务名称。"), Length(max=200, message="任务名称不超过 200 个字。")])
    requirement = TextAreaField("报送要求", filters=[_strip], validators=[Length(max=5000, message="报送要求不超过 5000 个字。")])
    deadline_date = DateField("截止日期", format="%Y-%m-%d", validators=[InputRequired(DATE_MSG)],
                              render_kw={"type": "date"})
    deadline_time = StringField("截止时间", default="23:59:59", filters=[_strip],
                                description="默认当天 23:59:59：此刻之前（含）报送为按时。")
    target_mode = RadioField("报送单位", choices=_options((m.value, m.label) for m in TargetMode), default=TargetMode.ALL.value,
                             invalid_choice_message="请选择报送单位范围。")
    groups = SelectMultipleField("单位分组", choices=_options((g, g) for g in UNIT_GROUPS),
                                 invalid_choice_message="分组无效。")
    units = SelectMultipleField("指定单位", coerce=coerce_id, invalid_choice_message="所选单位无效。")
    min_entries = IntegerField("每单位最少条目数", default=1, invalid_value_message="请填写整数。", validators=[
        InputRequired("请填写每单位最少条目数。"), NumberRange(min=1, max=100, message="最少条目数为 1–100。")])

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units.choices = _options((u.id, u.short_name) for u in units)

    def validate_deadline_time(self, field):
        _parse_time(field.data)

    def validate_groups(self, field):
        if self.target_mode.data == TargetMode.GROUPS.value and not field.data:
            raise ValidationError("请至少选择一个单位分组。")

    def validate_units(self, field):
        if self.target_mode.data == TargetMode.UNITS.value and not field.data:
            raise ValidationError("请至少选择一个单位。")

    @property
    def deadline(self) -> datetime:
        return datetime.combine(self.deadline_date.data, _parse_time(self.deadline_time.data))


class ExtensionForm(FlaskForm):
    extended_date = DateField("补报截止日期", format="%Y-%m-%d", validators=[Optional()], render_kw={"type": "date"})
    extended_time = StringField("时间", default="23:59:59", filters=[_strip])
    clear = BooleanField("取消补报截止")

    def validate_extended_date(self, field):
        if not self.clear.data and field.data is None:
            raise ValidationError("请选择补报截止日期。")

    def validate_extended_time(self, field):
        if not self.clear.data:
            _parse_time(field.data)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.clear.data and self.extended_date.data is None:  # Optional() skipped the check above
            self.extended_date.errors = ["请选择补报截止日期。"]
            return False
        return ok

    @property
    def extended(self) -> datetime | None:
        if self.clear.data:
            return None
        return datetime.combine(self.extended_date.data, _parse_time(self.extended_time.data))


class MatrixFilterForm(Form):
    campaign = IntegerField("报送任务", validators=[Optional()])
    group = SelectField("分组", choices=_options([("", "全部分组"), *[(g, g) for g in UNIT_GROUPS]]), validate_choice=False)
    status = SelectField("状态", choices=_options([("", "全部状态"), *[(s.value, s.label) for s in CampaignStatus]]),
                         validate_choice=False)

    @property
    def status_value(self) -> CampaignStatus | None:
        try:
            return CampaignStatus(self.status.data) if self.status.data else None
        except ValueError:
            return None

    @property
    def group_value(self) -> str | None:
        return self.group.data if self.group.data in UNIT_GROUPS else None
