"""Demo step 通报: the August 2018 circular of the seed, as a draft as of 2018-09-29 09:00."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from portal.auth.models import User
from portal.circulars import services
from portal.circulars.queries import case_candidates
from portal.extensions import db
from portal.orders.enums import OrderKind

AS_OF = datetime(2018, 9, 29, 9, 0)
PERIOD = (date(2018, 8, 1), date(2018, 8, 31))
NEW_DEADLINE = date(2018, 10, 12)
STAFF_USERNAME = "zhongxin"

SEED_INTRO = ("在市委、市政府的正确领导及各级各部门的大力支持下，经过半年紧张建设，8月30日，"
              "我市12345便民服务平台正式上线运行。现将8月份平台运行情况通报如下：")
# The seed's two typical cases, by the unit the praise was for.
SEED_CASES = {
    "岚皋县政府": "岚皋县官元镇团兴村熊先生8月2日来电称：前期反映的“镇上修路损坏自家黄姜地、茶园、板栗林损坏，无人赔偿”问题"
                 "（工单编号2018041803）已得到解决，镇村干部已上门沟通，对占用的土地及青苗给予了适当补助，"
                 "并告知生活困难按照规定程序申请救助。熊先生来电表扬政府办事效率高，能为群众办实事，称赞12345热线“管用”。",
    "平利县政府": "平利县城关镇徐女士8月8日来电称：前期反映的“平利县陈家坝308路段因道路翻修灰尘大，每天不敢开门窗，"
                 "严重影响附近居民日常生活”问题（工单编号2018072106）已得到解决，经县环境保护督查巡查工作领导小组办公室协调，"
                 "公路段与施工方安排两辆洒水车，在确保工程质量进度的情况下，每两小时一次洒水作业，降低扬尘，持续到施工结束。"
                 "徐女士来电表示满意，对平利县政府及12345热线提出表扬，对职能部门工作表示感谢。",
}


def load_circular() -> str:
    actor = db.session.scalar(select(User).where(User.username == STAFF_USERNAME))
    circular = services.draft(*PERIOD, AS_OF, actor)
    praise = [o for o in case_candidates(circular, limit=50) if o.kind == OrderKind.PRAISE]
    order = list(SEED_CASES)
    praise.sort(key=lambda o: (order.index(o.last_unit.short_name) if o.last_unit and o.last_unit.short_name in order
                               else len(order), o.accepted_at))
    texts = {}
    for order in praise:
        services.add_case(circular, actor, order.id)
        unit = order.last_unit.short_name if order.last_unit else ""
        if unit in SEED_CASES:
            texts[order.id] = SEED_CASES[unit]
    services.update(circular, actor, fields={"new_deadline": NEW_DEADLINE}, texts={"intro": SEED_INTRO},
                    case_texts=texts)
    return f"{circular.title}（草稿，统计截止 {AS_OF:%Y-%m-%d %H:%M}，典型案例 {len(praise)} 件）"
