"""Current orders with a lead unit and co-units (主办/协办), their 协办 parts in several states.

A noise complaint led by 市环保局 with 市城管局 (answered) and 市公安局 (working) helping; a dust complaint
whose co-units have not signed yet or asked to be released; a reply waiting for the centre's review after
every co-unit answered or was released; and a closed one. Every step goes through the transition table at
times before the demo is loaded; the August 2018 orders are untouched.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from portal.demo.order_current import _office_time, _working_moment
from portal.demo.order_subjects import ISSUES
from portal.demo.order_texts import caller, mobile, place, wording
from portal.clock import now
from portal.extensions import db
from portal.orders.enums import OrderKind
from portal.orders.models import OrderTask, WorkOrder
from portal.orders.numbering import next_number
from portal.orders.transitions import transition

# (subject, kind, lead, co-units, working days since dispatch, what happened: unit → task steps, order end)
CASES = (
    ("噪音扰民", OrderKind.COMPLAINT, "市环保局", ("市城管局", "市公安局"), 1,
     {"市城管局": "answered", "市公安局": "signed"}, "signed"),
    ("扬尘污染", OrderKind.COMPLAINT, "市环保局", ("市住建局", "市城管局"), 1,
     {"市住建局": "dispatched", "市城管局": "release_requested"}, "signed"),
    ("占道经营", OrderKind.HELP, "市城管局", ("市公安局", "市环保局"), 3,
     {"市公安局": "answered", "市环保局": "released"}, "replied"),
    ("噪音扰民", OrderKind.COMPLAINT, "市城管局", ("市环保局",), 6,
     {"市环保局": "answered"}, "closed"),
)
OPINIONS = {
    "市城管局": "已安排执法中队夜间巡查，发现工地超时施工的，依法查处并告知主办单位。",
    "市公安局": "辖区派出所已到场核查，对夜间聚集喧哗行为进行了劝导，建议主办单位加强源头管理。",
    "市环保局": "经现场监测，噪声值符合标准，建议主办单位督促经营者规范经营时间。",
    "市住建局": "已通知施工单位落实扬尘防治措施。",
}
RELEASE_REASON = "该事项不属于本单位职责范围，请中心免除本单位协办。"
TASK_TEXT = "请按职责配合核查，并在协办时限前提交协办意见。"


def load_cohandled_orders(subjects, units, steps, rng: random.Random) -> int:
    t = _office_time(now())
    for subject, kind, lead_name, co_names, back, parts, end in CASES:
        lead = units[lead_name]
        dispatched = _working_moment(t, back)
        who, phone = caller(rng), mobile(rng)
        short_place, address = place(rng, lead_name)
        title, content = wording(rng, kind, rng.choice(ISSUES[subject]), who, short_place)
        accepted = dispatched - timedelta(minutes=rng.randint(10, 40))
        order = WorkOrder(number=next_number(accepted), accepted_at=accepted, kind=kind, title=title, content=content,
                          subject=subjects[subject], caller_name=who, caller_mobile=phone, address=address)
        steps.create(order, accepted)
        steps.dispatch(order, lead, dispatched)
        db.session.flush()  # a task names its order
        centre = steps.actors.centre
        tasks = {}
        for name in co_names:
            event = transition(order, "add_co_task", centre, at=dispatched + timedelta(minutes=1), unit=units[name],
                               task_text=TASK_TEXT, text=TASK_TEXT)
            tasks[name] = db.session.get(OrderTask, event.data["task_id"])
        steps.sign(order, dispatched + timedelta(minutes=30))
        later = _between(dispatched + timedelta(hours=1), t - timedelta(hours=3))
        for i, (name, state) in enumerate(parts.items()):  # one after the other, each within half an hour
            _move(order, tasks[name], state, steps, later + timedelta(minutes=30 * i))
        if end in ("replied", "closed"):
            text = "经会同协办单位核实处理，问题已解决，已电话告知来电人，来电人表示认可。"
            replied = later + timedelta(minutes=30 * len(parts) + 30)
            reply = steps.reply(order, replied, text, replied - timedelta(minutes=30))
            if end == "closed":
                steps.accept(order, reply, replied + timedelta(minutes=40))
        db.session.flush()
    return len(CASES)


def _between(start: datetime, end: datetime) -> datetime:
    return start if end <= start else start + (end - start) / 2


def _move(order, task, state: str, steps, at: datetime) -> None:
    liaison = steps.actors.liaisons.get(task.unit_id)
    if state == "dispatched" or liaison is None:
        return
    if state == "release_requested":
        transition(order, "request_release", liaison, at=at, task=task, reason=RELEASE_REASON, text=RELEASE_REASON)
        return
    transition(order, "sign_task", liaison, at=at, task=task)
    if state == "answered":
        opinion = OPINIONS[task.unit.short_name]
        transition(order, "answer_task", liaison, at=at + timedelta(minutes=20), task=task, opinion=opinion,
                   text=opinion)
    elif state == "released":
        transition(order, "request_release", liaison, at=at + timedelta(minutes=5), task=task, reason=RELEASE_REASON,
                   text=RELEASE_REASON)
        transition(order, "approve_release", steps.actors.centre, at=at + timedelta(minutes=25), task=task,
                   text="同意免办。")
