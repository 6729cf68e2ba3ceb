"""Demo step 考核: two scheme versions modelled on real centres, August 2018 scored, four deductions/bonuses.

- From July 2018 (试行): 准格尔旗's weights — response 30% (签收及时率), resolution 35% (按期办结率),
  satisfaction 35% (回访满意率).
- From August 2018: 连云港's full marks (区县政府 150, 市直部门 100) with thresholds, the two 反向指标 and KB
  报送; 榆林's 红榜/黑榜 of 5 per group.
The worked computation of three units is in docs/decisions.md (issue 13).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.scores.models import AdjustmentKind, BoardScope
from portal.scores.services import ItemSpec, SchemeSpec, add_adjustment, create_scheme
from portal.units.models import Unit

FULL_MARKS = {"区县政府": 150, "市直部门": 100, "公共企事业单位": 100, "其他": 100}
TRIAL = SchemeSpec(
    name="12345热线承办单位月度考核办法（试行）", effective_from=date(2018, 7, 1), full_marks=FULL_MARKS,
    items=[ItemSpec("sign", 30, None), ItemSpec("on_time", 35, None), ItemSpec("satisfaction", 35, None)],
    note="参照准格尔旗：响应30%、办结35%、满意35%。",
)
AUGUST = SchemeSpec(
    name="12345热线承办单位月度考核办法", effective_from=date(2018, 8, 1), full_marks=FULL_MARKS,
    items=[ItemSpec("sign", 20, 80), ItemSpec("on_time", 30, 60), ItemSpec("satisfaction", 20, 80),
           ItemSpec("resolution", 10, None), ItemSpec("return", 5, 20), ItemSpec("reopen", 5, 20),
           ItemSpec("kb", 10, None)],
    red_size=5, black_size=5, board_scope=BoardScope.GROUP,
    note="参照连云港：区县政府满分150分、市直部门满分100分，低于门槛的指标不得分；参照榆林：每组公布红榜、黑榜各5名。",
)
ADJUSTMENTS = [
    ("恒口示范区", AdjustmentKind.DEDUCT, 200, "答复不规范：2件工单办结回复未写明联系群众的方式和时间。"),
    ("市人社局", AdjustmentKind.DEDUCT, 100, "答复不规范：回复照搬政策原文，未针对群众诉求作答。"),
    ("汉滨区政府", AdjustmentKind.BONUS, 300, "平台上线前牵头完成全区承办单位联络员培训，受到市政府通报表扬。"),
    ("平利县政府", AdjustmentKind.BONUS, 200, "群众来电表扬（工单编号2018072106），列为典型案例。"),
]


def load_scores() -> str:
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    staff = db.session.scalar(select(User).where(User.username == "zhongxin"))
    create_scheme(admin, TRIAL, datetime(2018, 6, 20, 9, 0))
    create_scheme(admin, AUGUST, datetime(2018, 7, 25, 9, 0))
    units = {u.short_name: u for u in db.session.scalars(select(Unit))}
    for name, kind, hundredths, reason in ADJUSTMENTS:
        add_adjustment(staff, unit=units[name], month=date(2018, 8, 1), kind=kind, hundredths=hundredths,
                       reason=reason, at=datetime(2018, 9, 26, 10, 0))
    return f"考核方案 2 个版本（2018年7月、8月起），8月加扣分 {len(ADJUSTMENTS)} 条"
