"""Forms for units (admin), the units import, and a unit leader's roster."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from portal.auth.forms import username_format, username_unique
from portal.units.models import REPLY_SIGNOFF, UNIT_GROUPS
from portal.units.queries import name_owners
from portal.units.services import split_aliases
from portal.web.fields import IntegerField, coerce_id

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
mobile_format = Regexp(MOBILE_RE, message="手机号格式不正确，应为 11 位手机号，如 13912345678。")


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class UnitForm(FlaskForm):
    full_name = StringField("单位全称", validators=[DataRequired("请填写单位全称。"), Length(max=100, message="单位全称不超过 100 个字。")])
    short_name = StringField("简称", validators=[DataRequired("请填写简称。"), Length(max=50, message="简称不超过 50 个字。")])
    aliases = StringField("别名", validators=[Length(max=1000, message="别名总长不超过 1000 个字。")])
    group = SelectField("分组", choices=options((g, g) for g in UNIT_GROUPS), default="市直部门",
                        invalid_choice_message="请选择分组。")
    display_order = IntegerField(
        "排序", default=0, invalid_value_message="排序须为整数。",
        validators=[InputRequired("请填写排序（整数）。"), NumberRange(min=0, max=999999, message="排序须为 0–999999 的整数。")],
    )
    lead_name = StringField("牵头负责人", validators=[Optional(), Length(max=50, message="姓名不超过 50 个字。")])
    lead_mobile = StringField("负责人手机", validators=[Optional(), mobile_format])
    reply_signoff = SelectField("回复签发", choices=options(REPLY_SIGNOFF.items()), default="none",
                                invalid_choice_message="请选择回复签发方式。",
                                description="开启后，联络员的办结回复须经单位负责人签发后才报中心审核（重件：紧急工单、投诉、举报）。")
    active = BooleanField("启用", default=True)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, obj=unit, **kwargs)
        self.editing = unit
        if unit is not None:
            del self.active  # (de)activation is its own action, with its own checks
            if not self.is_submitted() or isinstance(self.aliases.data, list):  # shown, or left out of the post
                self.aliases.data = "、".join(unit.aliases or [])

    @property
    def alias_list(self) -> list[str]:
        own = {(self.full_name.data or "").strip(), (self.short_name.data or "").strip()}
        return [a for a in split_aliases(self.aliases.data) if a not in own]

    def validate(self, extra_validators=None) -> bool:
        for f in (self.full_name, self.short_name, self.lead_name, self.lead_mobile):
            if isinstance(f.data, str):
                f.data = f.data.strip()
        ok = super().validate(extra_validators)
        owners = name_owners(exclude_id=self.editing.id if self.editing else None)

        def clash(field, name, label):
            other = owners.get(name)
            if other is not None:
                what = "全称" if other.full_name == name else ("简称" if other.short_name == name else "别名")
                field.errors.append(f"{label}“{name}”已是单位“{other.full_name}”的{what}，名称不能重复。")
                return True
            return False

        bad = False
        if self.full_name.data:
            bad |= clash(self.full_name, self.full_name.data, "单位全称")
        if self.short_name.data:
            bad |= clash(self.short_name, self.short_name.data, "简称")
        for alias in self.alias_list:
            if len(alias) > 100:
                self.aliases.errors.append(f"别名“{alias[:20]}…”超过 100 个字。")
                bad = True
            else:
                bad |= clash(self.aliases, alias, "别名")
        return ok and not bad


class UnitSearchForm(Form):
    """GET filters of the units list (no CSRF: it changes nothing)."""

    q = StringField("搜索", validators=[Optional(), Length(max=100)])
    group = SelectField("分组", choices=options([("", "全部分组"), *[(g, g) for g in UNIT_GROUPS]]), validate_choice=False)
    active = SelectField("状态", choices=options([("", "全部"), ("1", "启用"), ("0", "停用")]), validate_choice=False)
    no_liaison = BooleanField("仅看无在岗联络员")
    page = IntegerField(default=1, validators=[Optional()])


class UnitImportForm(FlaskForm):
    file = FileField("导入文件", validators=[
        FileRequired("请选择要导入的文件。"),
        FileAllowed(["csv", "xlsx", "txt"], "只支持 CSV 或 XLSX 文件。"),
    ])
    dry_run = BooleanField("仅预检，不写入")


class LiaisonForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("请填写姓名。"), Length(max=50, message="姓名不超过 50 个字。")])
    username = StringField("用户名", validators=[DataRequired("请填写用户名。"), username_format, username_unique])
    mobile = StringField("手机号", validators=[DataRequired("请填写手机号。"), mobile_format])

    def validate(self, extra_validators=None) -> bool:
        for f in (self.name, self.username, self.mobile):
            if isinstance(f.data, str):
                f.data = f.data.strip()
        return super().validate(extra_validators)


def _person_choices(users) -> list[tuple[int, str]]:
    return [(u.id, f"{u.name}（{u.username}）") for u in users]



class HandoverForm(FlaskForm):
    to_user = SelectField("移交给", coerce=coerce_id, invalid_choice_message="请选择本单位在岗的联络员。")

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.to_user.choices = options(_person_choices(candidates))


class DeactivateLiaisonForm(FlaskForm):
    """Deactivate a liaison; its open orders go to the chosen successor first."""

    to_user = SelectField("未办结工单移交给", coerce=lambda v: int(v) if v not in (None, "") else None,
                          invalid_choice_message="请选择本单位在岗的联络员。")

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.to_user.choices = options([("", "（无需移交）"), *_person_choices(candidates)])


class LeadForm(FlaskForm):
    lead_name = StringField("牵头负责人", validators=[DataRequired("请填写牵头负责人姓名。"), Length(max=50, message="姓名不超过 50 个字。")])
    lead_mobile = StringField("负责人手机", validators=[DataRequired("请填写负责人手机。"), mobile_format])


class SubUnitForm(FlaskForm):
    """Add or edit a sub-unit (乡镇/街道/科室/村): its names, its place among its siblings and its parent."""

    short_name = StringField("简称", validators=[DataRequired("请填写简称。"), Length(max=50, message="简称不超过 50 个字。")])
    full_name = StringField("全称", validators=[Optional(), Length(max=100, message="全称不超过 100 个字。")],
                            description="不填则与简称相同。")
    parent_id = SelectField("上级单位", coerce=coerce_id, invalid_choice_message="请在本单位内选择上级单位。")
    display_order = IntegerField(
        "排序", default=0, invalid_value_message="排序须为整数。",
        validators=[InputRequired("请填写排序（整数）。"), NumberRange(min=0, max=999999, message="排序须为 0–999999 的整数。")],
    )

    def __init__(self, *args, parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = options((u.id, label) for u, label in parents)

    def validate(self, extra_validators=None) -> bool:
        for f in (self.short_name, self.full_name):
            if isinstance(f.data, str):
                f.data = f.data.strip()
        return super().validate(extra_validators)
