"""The audit log's filter form."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from portal.audit.models import RESULT_LABELS
from portal.audit.queries import AuditFilter
from portal.web.fields import DateField

EVENT_CHOICES = [
    ("", "全部事件"), ("login", "登录"), ("logout", "退出"), ("password", "修改密码"), ("access", "拒绝访问"),
    ("user", "账号变更"), ("unit", "单位变更"), ("roster", "人员变更"), ("settings", "系统设置"),
    ("order.view", "查看工单"), ("order.reveal_mobile", "显示完整号码"), ("order.export", "导出工单"),
    ("order.download", "下载工单附件"), ("kb", "知识库导出/下载"), ("circular", "下载通报"),
    ("stats", "导出统计"), ("audit", "导出审计日志"),
]


def _options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    event = SelectField("事件", choices=_options(EVENT_CHOICES), validators=[Optional()], validate_choice=False)
    username = StringField("用户名", validators=[Optional(), Length(max=50)])
    result = SelectField("结果", choices=_options([("", "全部"), *RESULT_LABELS.items()]), validators=[Optional()],
                         validate_choice=False)
    address = StringField("地址", validators=[Optional(), Length(max=64)])
    object_id = StringField("对象编号", validators=[Optional(), Length(max=40)])
    date_from = DateField("起始日期", validators=[Optional()])
    date_to = DateField("截止日期", validators=[Optional()])

    def to_filter(self) -> AuditFilter:
        self.validate()
        ok = lambda f: None if f.errors else f.data  # noqa: E731  (a bad field is ignored, the rest filters)
        known_event = dict(EVENT_CHOICES)
        return AuditFilter(event=ok(self.event) if ok(self.event) in known_event else "",
                           username=ok(self.username) or "", result=ok(self.result) if ok(self.result) in RESULT_LABELS else "",
                           address=ok(self.address) or "", object_id=ok(self.object_id) or "",
                           date_from=ok(self.date_from), date_to=ok(self.date_to))
