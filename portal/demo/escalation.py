"""Demo step 申诉与督办 (issue 13): appeals decided both ways, a 问题工单 chased up to 列入通报 with a 督办单, a reply
waiting for a leader's sign-off, and a late order of 汉滨区政府 whose appeal window is open now.

The August circular keeps the seed's figures: the appeals about August orders are decided in October 2018,
after its as-of time (2018-09-29 09:00), and the 问题工单 was accepted in July, so it is in no August figure;
it was passed to its third unit, chased and listed in August, so the August circular's data names it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from portal.appeals import services as appeals
from portal.auth.models import User
from portal.auth.roles import Role
from portal.clock import now
from portal.demo.order_build import Actors, Steps, units_by_name
from portal.demo.order_current import _working_moment
from portal.extensions import db
from portal.orders import services
from portal.orders.enums import CallbackResult, OrderKind, OrderState, RequestStatus, ReturnStage
from portal.orders.models import Callback, WorkOrder
from portal.orders.numbering import next_number
from portal.orders.records import ReturnRequest
from portal.orders.transitions import transition

APPEAL_UNIT = "汉滨区政府"
DECIDED = datetime(2018, 10, 8, 10, 0)  # after the August circular's as-of time
PASSED_THROUGH = ("汉滨区政府", "恒口示范区", "市城管局")
SIGNOFF_UNIT = "恒口示范区"


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _late_august_orders(unit) -> list[WorkOrder]:
    stmt = (select(WorkOrder).where(WorkOrder.last_unit_id == unit.id, WorkOrder.state == OrderState.CLOSED,
                                    WorkOrder.completed_at > WorkOrder.handle_deadline,
                                    WorkOrder.accepted_at >= datetime(2018, 8, 1),
                                    WorkOrder.accepted_at < datetime(2018, 9, 1))
            .order_by(WorkOrder.completed_at, WorkOrder.id))
    return list(db.session.scalars(stmt))


def _august_appeals(units) -> int:
    """Two lateness appeals of August orders: one upheld, one rejected, both decided in October 2018."""
    centre = _user("zhongxin")
    unit = units[APPEAL_UNIT]
    late = _late_august_orders(unit)
    if len(late) < 2:  # the seed's late orders are elsewhere: take the unit that has two
        unit = next(u for u in sorted(units.values(), key=lambda u: u.display_order) if len(_late_august_orders(u)) >= 2)
        late = _late_august_orders(unit)
    leader = db.session.scalar(select(User).where(User.unit_id == unit.id, User.role == Role.UNIT_LEADER))
    filer = leader or db.session.scalar(select(User).where(User.unit_id == unit.id, User.role == Role.LIAISON))
    words = (("群众要求待其外出返回后上门处理，预约时间晚于办理时限，有通话录音为证。", "uphold",
              "经核查通话录音，群众预约时间确在办理时限之后，申诉成立，该件不计逾期。"),
             ("系统故障导致未能及时提交回复。", "reject",
              "经核查，同期系统运行正常，其他单位均正常提交回复，申诉不成立。"))
    for order, (reason, verdict, note) in zip(late[:2], words):
        target = appeals.judgments(order)[-1].target
        appeal = appeals.file_appeal(order, filer, target, reason, at=order.closed_at + timedelta(hours=2))
        appeals.decide(appeal, verdict, centre, note, at=DECIDED)
    return 2


def _pass_between_units(units, steps: Steps) -> WorkOrder:
    """A July complaint returned by two units and dispatched to a third in August: a 问题工单, then 督办, a
    督办单 and 列入通报."""
    centre = steps.actors.centre
    accepted = datetime(2018, 7, 25, 10, 12)
    order = WorkOrder(number=next_number(accepted), accepted_at=accepted, kind=OrderKind.COMPLAINT,
                      title="江北街道某小区地下车库长期积水无人处理", caller_name="周女士", caller_mobile="13891500123",
                      address="汉滨区江北街道某小区", content="小区地下车库每逢下雨便积水，物业、社区、住建部门相互推诿，"
                      "至今无人处理，车辆多次被淹，请求明确责任单位尽快处理。")
    steps.create(order, accepted)
    moments = (datetime(2018, 7, 25, 15), datetime(2018, 8, 2, 9, 30), datetime(2018, 8, 10, 9, 10))
    for name, at in zip(PASSED_THROUGH, moments):
        unit = units[name]
        steps.dispatch(order, unit, at)
        if name == PASSED_THROUGH[-1]:
            break
        leader = steps.actors.leaders.get(unit.id) or steps.actors.liaisons.get(unit.id)
        asked = at + timedelta(hours=3)
        reason, basis = "车库积水属物业管理范围，不属于本单位职责。", "《物业管理条例》第三十五条"
        request = ReturnRequest(order=order, unit_id=unit.id, requested_by_id=leader.id, requested_at=asked,
                                reason=reason, duty_basis=basis, stage=ReturnStage.CENTRE,
                                leader_id=leader.id if leader.role == Role.UNIT_LEADER else None)
        db.session.add(request)
        transition(order, "request_return", leader, at=asked, text=reason, data={"duty_basis": basis, "stage": "centre"})
        decided = asked + timedelta(hours=20)
        transition(order, "approve_return", centre, at=decided, text="同意退单，改派。", data={"unit": unit.short_name})
        request.status, request.decided_by_id, request.decided_at = RequestStatus.APPROVED, centre.id, decided
    db.session.flush()
    services.supervise(order, centre, "该工单已先后派至三个单位，请市城管局牵头尽快处理并回复。", at=datetime(2018, 8, 20, 10))
    services.issue_notice(order, centre, "请于8月28日前牵头协调物业、社区排除积水并回复群众。", at=datetime(2018, 8, 22, 10))
    services.list_in_circular(order, centre, "经督办单督办仍未办结，列入8月通报。", at=datetime(2018, 8, 29, 16))
    return order


def _signed_order(steps: Steps, unit, dispatched: datetime, kind: OrderKind, title: str, caller: str,
                  mobile: str, address: str, content: str) -> WorkOrder:
    """An order accepted half an hour before its dispatch to `unit`, signed an hour after."""
    order = WorkOrder(number=next_number(dispatched), accepted_at=dispatched - timedelta(minutes=30), kind=kind,
                      title=title, caller_name=caller, caller_mobile=mobile, address=address, content=content)
    steps.create(order, order.accepted_at)
    steps.dispatch(order, unit, dispatched)
    steps.sign(order, dispatched + timedelta(hours=1))
    return order


def _open_appeal_case(units, steps: Steps) -> WorkOrder:
    """A consult of 汉滨区政府 replied days after its deadline, closed and rated 不满意 on the last working day:
    its appeal window is open now (the demo's liaison can appeal it; the browser test does)."""
    closed = _working_moment(now(), 1) + timedelta(hours=5)
    order = _signed_order(steps, units[APPEAL_UNIT], _working_moment(closed, 7), OrderKind.CONSULT,
                          "咨询城乡居民医保缴费档次及报销比例", "吴先生", "13891500456", "汉滨区新城街道",
                          "咨询今年城乡居民医保的缴费档次、缴费时间以及住院报销比例。")
    replied = closed - timedelta(hours=3)
    reply = steps.reply(order, replied, "已电话告知吴先生今年的缴费档次、缴费时间和报销比例，来电人表示认可。",
                        replied - timedelta(hours=1))
    steps.accept(order, reply, closed)
    at = closed + timedelta(minutes=40)
    transition(order, "callback", steps.actors.centre, at=at, text="不满意。群众认为答复太慢",
               data={"result": CallbackResult.UNSATISFIED.value}, flush=False)
    db.session.add(Callback(order=order, result=CallbackResult.UNSATISFIED, note="群众认为答复太慢", at=at,
                            actor_id=steps.actors.centre.id, closure=1))
    db.session.flush()
    return order


def _waiting_for_signoff(units, steps: Steps) -> WorkOrder:
    """恒口示范区 signs off its major replies (重件): one complaint's reply waits for its leader."""
    from portal.orders.records import Reply

    unit = units[SIGNOFF_UNIT]
    unit.reply_signoff = "major"
    dispatched = _working_moment(now(), 2)
    order = _signed_order(steps, unit, dispatched, OrderKind.COMPLAINT, "投诉恒口镇某商户占道经营", "郑先生",
                          "13891500789", "恒口示范区恒口镇", "恒口镇老街某商户长期占道摆放货物，影响通行，请求处理。")
    liaison = steps.liaison(order)
    at = dispatched + timedelta(hours=6)
    result = "经现场核查，已责令商户清理占道货物，并告知郑先生处理结果。"
    transition(order, "submit_reply_for_signoff", liaison, at=at, text=result,
               data={"resolved": True, "contact_way": "电话"})
    db.session.add(Reply(order=order, unit_id=unit.id, submitted_by_id=liaison.id, submitted_at=at, result=result,
                         contact_way="电话", contacted_at=at - timedelta(hours=1), resolved=True,
                         stage=ReturnStage.LEADER))
    db.session.flush()
    return order


def load_escalation() -> str:
    units = units_by_name()
    steps = Steps(Actors.load())
    n_appeals = _august_appeals(units)
    problem = _pass_between_units(units, steps)
    _open_appeal_case(units, steps)
    _waiting_for_signoff(units, steps)
    db.session.flush()
    return (f"{n_appeals} 件申诉（成立、不成立各 1 件），问题工单 {problem.number}（督办单 1 份，已列入通报），"
            f"{SIGNOFF_UNIT}重件回复须负责人签发")
