"""Order forms: all input validation lives here (Chinese messages)."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateTimeLocalField, HiddenField, MultipleFileField, RadioField,
    SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.clock import now
from portal.orders.enums import CONTACT_WAYS, KIND_LABELS, CallbackResult
from portal.orders.transitions import MAX_EXTENSION_DAYS
from portal.web.fields import DateField, IntegerField, coerce_id
from portal.web.once import once_field

MOBILE_RE = re.compile(r"^[0-9\-+ ]{5,20}$")


def options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


KIND_CHOICES = [(k.value, label) for k, label in KIND_LABELS.items()]


def _required(message):
    return DataRequired(message=message)


def _phone(form, field):
    if field.data and not MOBILE_RE.match(field.data.strip()):
        raise ValidationError("请填写正确的电话号码（数字，可含 - ）。")


class OrderForm(FlaskForm):
    kind = SelectField("诉求类型", choices=options(KIND_CHOICES), validators=[_required("请选择诉求类型。")])
    subject_id = SelectField("事项分类", coerce=coerce_id, validators=[Optional()], validate_choice=False)
    tag_ids = SelectMultipleField("标签", coerce=coerce_id, validators=[Optional()], validate_choice=False)
    title = StringField("标题", validators=[Optional(), Length(max=60, message="标题最多60个字。")])
    caller_name = StringField("来电人", validators=[Optional(), Length(max=50, message="来电人最多50个字。")])
    caller_mobile = StringField("联系电话", validators=[Optional(), _phone])
    address = StringField("地址", validators=[Optional(), Length(max=200, message="地址最多200个字。")])
    content = TextAreaField("诉求内容", validators=[
        _required("请填写诉求内容。"), Length(min=5, max=5000, message="诉求内容应为5至5000个字。")])
    urgent = BooleanField("紧急")
    confidential = BooleanField("保密（不向承办单位显示来电人信息）")
    call_id = HiddenField()
    once = once_field()


class VersionForm(FlaskForm):
    version = HiddenField()


class NoteForm(VersionForm):
    text = TextAreaField("说明", validators=[Optional(), Length(max=1000, message="说明最多1000个字。")])


class DispatchForm(VersionForm):
    unit_id = IntegerField("承办单位", validators=[InputRequired("请选择承办单位。")])
    designate = BooleanField("指定办理（不得退单）")
    text = TextAreaField("派单说明", validators=[Optional(), Length(max=1000, message="派单说明最多1000个字。")])
    co_unit_ids = SelectMultipleField("协办单位（可多选，按住 Ctrl 选择）", coerce=coerce_id, validators=[Optional()],
                                      validate_choice=False)
    co_text = TextAreaField("协办要求", validators=[Optional(), Length(max=2000, message="协办要求最多2000个字。")])


class TaskActForm(VersionForm):
    """One move of a task (协办 part or part passed down); `version` is the task's."""

    text = TextAreaField("意见 / 理由", validators=[Optional(), Length(max=2000, message="最多2000个字。")])
    files = MultipleFileField("附件")


class NewTaskForm(FlaskForm):
    """请协办 (the centre) or 下派 (a unit to one of its direct sub-units)."""

    unit_id = IntegerField("单位", validators=[InputRequired("请选择单位。")])
    role = SelectField("办理方式", choices=options([("lead", "主办"), ("co", "协办")]), default="lead",
                       validators=[Optional()])
    deadline = DateTimeLocalField("时限", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    text = TextAreaField("任务要求", validators=[Optional(), Length(max=2000, message="任务要求最多2000个字。")])
    parent_task_id = HiddenField()


class ReplyForm(VersionForm):
    result = TextAreaField("办理结果", validators=[
        _required("请填写办理结果。"), Length(min=5, max=5000, message="办理结果应为5至5000个字。")])
    contact_way = SelectField("联系方式", choices=options((w, w) for w in CONTACT_WAYS),
                              validators=[_required("请选择联系方式。")])
    contacted_at = DateTimeLocalField("联系时间", format="%Y-%m-%dT%H:%M",
                                      validators=[InputRequired("请填写联系群众的时间。")])
    resolved = RadioField("是否解决", choices=options([("1", "已解决"), ("0", "未解决")]), default="1",
                          validators=[InputRequired("请选择是否解决。")])
    unresolved_reason = TextAreaField("未解决原因", validators=[Optional(), Length(max=1000)])
    files = MultipleFileField("附件")
    once = once_field()

    def validate_contacted_at(self, field):
        if field.data and field.data > now():
            raise ValidationError("联系时间不能晚于现在。")

    def validate_unresolved_reason(self, field):
        if self.resolved.data == "0" and not (field.data or "").strip():
            raise ValidationError("未解决的，请说明原因。")


class ReturnForm(VersionForm):
    reason = TextAreaField("退单理由", validators=[
        _required("请填写退单理由。"), Length(max=1000, message="退单理由最多1000个字。")])
    duty_basis = TextAreaField("职责依据", validators=[
        _required("请填写职责依据（如三定方案、法规条款）。"), Length(max=1000, message="职责依据最多1000个字。")])


class ExtensionForm(VersionForm):
    reason = TextAreaField("延期理由", validators=[
        _required("请填写延期理由。"), Length(max=1000, message="延期理由最多1000个字。")])
    working_days = IntegerField("延期工作日数", validators=[
        InputRequired("请填写延期天数。"),
        NumberRange(min=1, max=MAX_EXTENSION_DAYS, message=f"延期天数应为1至{MAX_EXTENSION_DAYS}个工作日。")])


class CallbackForm(VersionForm):
    # No default (DOMAIN §3): the empty first option stays selected until staff choose a level.
    result = SelectField("回访结果", choices=options([("", "请选择回访结果"), *((r.value, r.label) for r in CallbackResult)]),
                         default="", validate_choice=False, validators=[_required("请选择回访结果。")])
    note = TextAreaField("回访记录", validators=[Optional(), Length(max=1000)])
    reopen = BooleanField("不满意，退回承办单位重办")
    once = once_field()

    def validate_result(self, field):
        if field.data not in {r.value for r in CallbackResult}:
            raise ValidationError("请选择回访结果。")

    def validate_reopen(self, field):
        if field.data and self.result.data in {r.value for r in CallbackResult} and \
                not CallbackResult(self.result.data).may_reopen:
            raise ValidationError("只有回访不满意或非常不满意时才能随回访重办。")


class MergeForm(VersionForm):
    target_number = StringField("并入工单编号", validators=[_required("请填写要并入的原工单编号。")])
    text = TextAreaField("并单理由", validators=[
        _required("请填写并单理由。"), Length(max=1000, message="并单理由最多1000个字。")])


class AttachmentForm(FlaskForm):
    files = MultipleFileField("附件", validators=[_required("请选择要上传的文件。")])


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    tab = HiddenField()
    kind = SelectField("诉求类型", choices=options([("", "全部类型"), *KIND_CHOICES]), validators=[Optional()])
    date_from = DateField("受理日期从", validators=[Optional()])
    date_to = DateField("至", validators=[Optional()])
    keyword = StringField("关键词", validators=[Optional(), Length(max=50)])
    sort = SelectField("排序", choices=options([("deadline", "时限由近到远"), ("-deadline", "时限由远到近"),
                                               ("accepted", "受理时间由新到旧")]), default="deadline", validators=[Optional()])


class ReviewForm(VersionForm):
    text = TextAreaField("审核意见", validators=[Optional(), Length(max=1000, message="审核意见最多1000个字。")])


class ReplyReviewForm(ReviewForm):
    override = TextAreaField("直接审核通过的理由", validators=[
        Optional(), Length(max=1000, message="理由最多1000个字。")])


class RejectForm(VersionForm):
    text = TextAreaField("审核意见", validators=[
        _required("不同意或驳回时，请填写理由。"), Length(max=1000, message="审核意见最多1000个字。")])


class SuperviseForm(VersionForm):
    text = TextAreaField("督办内容", validators=[
        _required("请填写督办内容。"), Length(max=1000, message="督办内容最多1000个字。")])


class ReopenForm(VersionForm):
    text = TextAreaField("重办理由", validators=[
        _required("请填写重办理由。"), Length(max=1000, message="重办理由最多1000个字。")])
