"""下级单位 in the demo: 汉滨区政府's townships and sub-districts (one village below a township), 市人社局's
sections, a liaison for each (README lists them), and current 汉滨区政府 orders passed down in every state.

The orders are new current ones (accepted in the last days, dispatched by the centre and signed by 汉滨区政府's
liaison), moved through the one transition at the demo's times: the August 2018 figures stay the seed's.
"""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.clock import now
from portal.demo.order_build import Actors, Steps, units_by_name
from portal.demo.order_current import _office_time, _working_moment
from portal.demo.order_texts import caller, mobile
from portal.extensions import db
from portal.orders.enums import OrderKind, TaskRole
from portal.orders.models import OrderTask, Subject, WorkOrder
from portal.orders.numbering import next_number
from portal.orders.transitions import transition
from portal.units.models import Unit

# 汉滨区's sub-districts and towns (恒口镇 is administered by 恒口示范区, a unit of its own in the seed).
HANBIN = "汉滨区政府"
HANBIN_SUB_UNITS = [
    ("老城街道", "汉滨区老城街道办事处"), ("新城街道", "汉滨区新城街道办事处"), ("江北街道", "汉滨区江北街道办事处"),
    ("建民街道", "汉滨区建民街道办事处"), ("关庙镇", "汉滨区关庙镇人民政府"), ("张滩镇", "汉滨区张滩镇人民政府"),
    ("瀛湖镇", "汉滨区瀛湖镇人民政府"), ("五里镇", "汉滨区五里镇人民政府"), ("大竹园镇", "汉滨区大竹园镇人民政府"),
    ("洪山镇", "汉滨区洪山镇人民政府"), ("早阳镇", "汉滨区早阳镇人民政府"),
]
VILLAGE = ("五里镇", "五里村", "汉滨区五里镇五里村村民委员会")  # depth 2
BUREAU = "市人社局"
SECTIONS = [("就业促进科", "安康市人社局就业促进科"), ("养老保险科", "安康市人社局养老保险科"),
            ("劳动关系科", "安康市人社局劳动关系科")]

# username, name, unit (short name; the village and sections by their own names), role, mobile
ACCOUNTS = [
    ("laocheng_leader", "何文斌", "老城街道", Role.UNIT_LEADER, "13991600001"),
    ("laocheng", "吴晓燕", "老城街道", Role.LIAISON, "13991600002"),
    ("xincheng", "郑凯", "新城街道", Role.LIAISON, "13991600003"),
    ("jiangbei", "冯丽", "江北街道", Role.LIAISON, "13991600004"),
    ("jianmin", "褚明", "建民街道", Role.LIAISON, "13991600005"),
    ("guanmiao", "卫国强", "关庙镇", Role.LIAISON, "13991600006"),
    ("zhangtan", "蒋涛", "张滩镇", Role.LIAISON, "13991600007"),
    ("yinghu", "沈芳", "瀛湖镇", Role.LIAISON, "13991600008"),
    ("wuli", "韩冬", "五里镇", Role.LIAISON, "13991600009"),
    ("dazhuyuan", "杨帆", "大竹园镇", Role.LIAISON, "13991600010"),
    ("hongshan", "朱敏", "洪山镇", Role.LIAISON, "13991600011"),
    ("zaoyang", "秦亮", "早阳镇", Role.LIAISON, "13991600012"),
    ("wulicun", "尤建华", "五里村", Role.LIAISON, "13991600013"),
    ("renshe_jiuye", "许静", "就业促进科", Role.LIAISON, "13991600014"),
    ("renshe_yanglao", "何磊", "养老保险科", Role.LIAISON, "13991600015"),
    ("renshe_laodong", "吕娜", "劳动关系科", Role.LIAISON, "13991600016"),
]


def load_sub_units() -> str:
    """Create the sub-units and their accounts (the demo password, like every demo account)."""
    units = units_by_name()
    county, bureau = units[HANBIN], units[BUREAU]
    made: dict[str, Unit] = {}

    def add(parent: Unit, order: int, short: str, full: str) -> Unit:
        unit = Unit(short_name=short, full_name=full, parent=parent, group=parent.group, display_order=order,
                    aliases=[], lead_name=f"{short}负责人")
        db.session.add(unit)
        made[short] = unit
        return unit

    for order, (short, full) in enumerate(HANBIN_SUB_UNITS, start=1):
        add(county, order, short, full)
    add(made[VILLAGE[0]], 1, VILLAGE[1], VILLAGE[2])
    for order, (short, full) in enumerate(SECTIONS, start=1):
        add(bureau, order, short, full)
    db.session.flush()
    template = db.session.scalar(select(User).where(User.username == "hanbin"))
    for username, name, unit_name, role, phone in ACCOUNTS:
        db.session.add(User(username=username, name=name, role=role, unit=made[unit_name], mobile=phone,
                            must_change_password=False, password_hash=template.password_hash))
    db.session.flush()
    return f"{len(made)} 个（汉滨区 {len(HANBIN_SUB_UNITS)} 个镇街及 1 个村，市人社局 {len(SECTIONS)} 个科室），{len(ACCOUNTS)} 个账号"


class _Down:
    """Passing down at the demo's times: every step a transition of the one lifecycle."""

    def __init__(self):
        self.users = {u.unit_id: u for u in db.session.scalars(
            select(User).where(User.role == Role.LIAISON, User.active.is_(True)).order_by(User.id.desc()))}

    def pass_down(self, order, unit, at, deadline, text, role=TaskRole.LEAD, parent=None) -> OrderTask:
        actor = self.users[parent.unit_id if parent else order.unit_id]
        event = transition(order, "pass_down", actor, at=at, unit=unit, task_text=text, text=text, deadline=deadline,
                           role=role, parent_task=parent)
        return db.session.get(OrderTask, event.data["task_id"])

    def act(self, task, action, at, actor_unit_id=None, **params) -> None:
        actor = self.users[actor_unit_id or task.unit_id]
        transition(task.order, action, actor, at=at, task=task, **params)


# Scenario -> (title, content, township): the state each passed-down part is left in.
PLANS = [
    ("waiting", "老城街道东关正街夜市油烟扰民", "东关正街夜市摊点油烟和噪音严重影响居民休息，请相关部门处理。", "老城街道"),
    ("working", "新城街道育才路路灯不亮", "育才路中段多盏路灯夜间不亮已一周，行人出行不便。", "新城街道"),
    ("answered", "江北街道滨江花园小区二次供水水压不足", "小区高层住户水压不足，早晚高峰时段无法正常用水。", "江北街道"),
    ("accepted", "建民街道农贸市场周边占道经营", "农贸市场周边商贩占道经营，造成交通拥堵。", "建民街道"),
    ("sent_back", "关庙镇某村低保评定有异议", "来电人反映低保评定结果不公，希望重新核实家庭情况。", "关庙镇"),
    ("withdrawn", "张滩镇集镇垃圾清运不及时", "集镇主街垃圾堆放多日未清运，气味难闻。", "张滩镇"),
    ("overdue", "洪山镇通村公路塌方未修复", "通村公路一处塌方已半月未修复，群众出行困难。", "洪山镇"),
    ("village", "五里镇五里村饮水管道破损", "村里饮水主管道破损漏水，多户村民用水困难，请尽快维修。", "五里镇"),
]


def load_passed_down() -> str:
    """Current 汉滨区政府 orders passed down in every task state (and to the village at depth 2)."""
    rng = random.Random(12)
    units = units_by_name()
    county = units[HANBIN]
    subject = db.session.scalar(select(Subject).where(Subject.name == "市容环境"))
    steps, down = Steps(Actors.load()), _Down()
    t = _office_time(now())
    for scenario, title, content, town_name in PLANS:
        dispatched = _working_moment(t, 6 if scenario == "overdue" else 3)
        accepted = dispatched - timedelta(minutes=rng.randint(10, 40))
        order = WorkOrder(accepted_at=accepted, kind=OrderKind.COMPLAINT, title=title, content=content,
                          subject=subject, caller_name=caller(rng), caller_mobile=mobile(rng),
                          address=f"汉滨区{town_name}", number=next_number(accepted))
        steps.create(order, accepted)
        steps.dispatch(order, county, dispatched)
        steps.sign(order, dispatched + timedelta(minutes=30))
        db.session.flush()
        passed = dispatched + timedelta(hours=1)
        town = units[town_name]
        if scenario == "overdue":
            deadline = _working_moment(t, 1)  # passed before today: the home page and reminders show it
        else:
            deadline = min(order.handle_deadline - timedelta(days=1), t + timedelta(days=3))
        text = f"请{town_name}核实情况并妥善处理，按时限答复区政府。"
        task = down.pass_down(order, town, passed, deadline, text)
        if scenario == "waiting":
            continue
        down.act(task, "sign_task", passed + timedelta(minutes=40))
        if scenario == "village":
            down.pass_down(order, units["瀛湖镇"], passed + timedelta(minutes=10), deadline,
                           "瀛湖镇供水站协助排查水源管网。", role=TaskRole.CO)
            village = down.pass_down(order, units["五里村"], passed + timedelta(hours=1), deadline,
                                     "请村委会组织抢修并告知村民。", parent=task)
            down.act(village, "sign_task", passed + timedelta(hours=2))
            continue
        if scenario in ("working", "overdue"):
            continue
        if scenario == "withdrawn":
            down.act(task, "withdraw_task", passed + timedelta(hours=3), actor_unit_id=county.id,
                     text="经核实该事项由区城管局统一清运，区政府收回自办。")
            continue
        answered = passed + timedelta(hours=20)
        down.act(task, "answer_task", answered, opinion=f"{town_name}已现场核实并处理，已电话告知来电人。")
        if scenario == "sent_back":
            down.act(task, "send_back_task", answered + timedelta(hours=2), actor_unit_id=county.id,
                     reason="答复未说明核实过程和结果，请补充后重新答复。", text="答复未说明核实过程和结果。")
        elif scenario == "accepted":
            down.act(task, "accept_task", answered + timedelta(hours=1), actor_unit_id=county.id,
                     text="同意镇街答复。")
            reply_at = answered + timedelta(hours=2)
            steps.reply(order, reply_at, f"经{town_name}现场核实，已组织清理占道摊点并加强巡查。已电话告知来电人。",
                        reply_at - timedelta(minutes=30))
        db.session.flush()
    section = units["就业促进科"]
    bureau_order = _bureau_order(units, steps, subject, rng, t)
    task = down.pass_down(bureau_order, section, bureau_order.signed_at + timedelta(hours=1),
                          min(bureau_order.handle_deadline - timedelta(days=1), t + timedelta(days=3)),
                          "请就业促进科核实灵活就业补贴发放情况。")
    down.act(task, "sign_task", task.dispatched_at + timedelta(minutes=30))
    db.session.flush()
    return f"{len(PLANS) + 1} 件（待签收、办理中、已答复、已采纳、退回重办、已收回、逾期、下派到村，及 1 件下派到科室）"


def _bureau_order(units, steps, subject, rng, t) -> WorkOrder:
    dispatched = _working_moment(t, 2)
    accepted = dispatched - timedelta(minutes=25)
    order = WorkOrder(accepted_at=accepted, kind=OrderKind.CONSULT, title="灵活就业社保补贴何时发放",
                      content="来电人咨询灵活就业人员社保补贴申请后何时发放。", subject=subject,
                      caller_name=caller(rng), caller_mobile=mobile(rng), address="汉滨区", number=next_number(accepted))
    steps.create(order, accepted)
    steps.dispatch(order, units[BUREAU], dispatched)
    steps.sign(order, dispatched + timedelta(minutes=20))
    db.session.flush()
    return order
