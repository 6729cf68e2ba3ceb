"""Forms of the security administrator's pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from portal.auth.roles import ADMIN_ROLES
from portal.web.fields import IntegerField


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AdminRolesForm(FlaskForm):
    roles = _Checkboxes("管理员角色", choices=[SelectChoice(r.value, r.label) for r in ADMIN_ROLES])


class PolicyForm(FlaskForm):
    for_all = BooleanField("全部账号（含单位人员和话务员）登录都须两步验证")
    units = _Checkboxes("以下单位的人员须两步验证", coerce=int, validate_choice=True)


class AccountSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("搜索", validators=[Optional(), Length(max=100)])
    page = IntegerField(default=1, validators=[Optional()])
