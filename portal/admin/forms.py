"""Forms of the admin's user pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.auth.roles import ADMIN_ROLES, Role
from portal.imports.tabular import parse_date
from portal.auth.forms import username_format, username_unique
from portal.units.forms import mobile_format, options
from portal.units.queries import units_in_tree_order
from portal.web.fields import IntegerField

ROLE_CHOICES = [(r.value, r.label) for r in Role]
# The system administrator gives these; the administrator roles are the security administrator's to give.
ASSIGNABLE_ROLE_CHOICES = [(r.value, r.label) for r in Role if r not in ADMIN_ROLES]


def _optional_int(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # matches no choice: "请选择单位"


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名。"), username_format, username_unique])
    name = StringField("姓名", validators=[DataRequired("请填写姓名。"), Length(max=50, message="姓名不超过 50 个字。")])
    mobile = StringField("手机号", validators=[Optional(), mobile_format])
    role = SelectField("角色", choices=options(ASSIGNABLE_ROLE_CHOICES), invalid_choice_message="请选择角色。")
    unit_id = SelectField("所属单位", coerce=_optional_int, invalid_choice_message="请选择有效的单位。")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, obj=user, **kwargs)
        self.editing_user = user
        self.unit_id.choices = options([("", "（中心账号，无单位）"),
                                        *[(u.id, label + ("" if u.active else "（已停用）")) for u, label in units_in_tree_order()]])
        if user is not None and user.role in ADMIN_ROLES:
            # Shown as it is and kept: only the security administrator changes an administrator's roles.
            self.role.choices = options([(user.role.value, user.roles_label)])
            self.role.render_kw = {"disabled": True}
            self.role.data = user.role.value
        elif user is not None and not self.is_submitted():
            self.role.data = user.role.value

    @property
    def role_value(self) -> Role | None:
        try:
            return Role(self.role.data)
        except ValueError:
            return None

    def validate(self, extra_validators=None) -> bool:
        for f in (self.username, self.name, self.mobile):
            if isinstance(f.data, str):
                f.data = f.data.strip()
        ok = super().validate(extra_validators)
        role = self.role_value
        if role is not None and role.is_unit_role:
            if not self.unit_id.data:
                self.unit_id.errors.append(f"{role.label}必须选择所属单位。")
                ok = False
            if not self.mobile.data:
                self.mobile.errors.append(f"{role.label}必须填写手机号，便于中心联系。")
                ok = False
        elif role is not None and self.unit_id.data:
            self.unit_id.errors.append(f"{role.label}是中心账号，不能选择所属单位。")
            ok = False
        return ok


class UserSearchForm(Form):
    """GET filters of the users list."""

    q = StringField("搜索", validators=[Optional(), Length(max=100)])
    role = SelectField("角色", choices=options([("", "全部角色"), *ROLE_CHOICES]), validate_choice=False)
    unit_id = SelectField("单位", coerce=_optional_int, validate_choice=False)
    active = SelectField("状态", choices=options([("", "全部"), ("1", "启用"), ("0", "停用")]), validate_choice=False)
    page = IntegerField(default=1, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = options([("", "全部单位"), *[(u.id, label) for u, label in units_in_tree_order()]])

    @property
    def role_value(self) -> str:
        return self.role.data if self.role.data in {r.value for r in Role} else ""


class RosterLogFilterForm(Form):
    """GET filters of the centre's roster log."""

    unit_id = SelectField("单位", coerce=_optional_int, validate_choice=False)
    date_from = StringField("起始日期")
    date_to = StringField("截止日期")
    page = IntegerField(default=1, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = options([("", "全部单位"), *[(u.id, label) for u, label in units_in_tree_order()]])

    def date_value(self, field):
        """The field as a date, None when empty; a bad date becomes a Chinese field error."""
        text = (field.data or "").strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError as exc:
            field.errors = [str(exc)]
            return None
