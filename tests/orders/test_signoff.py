"""回复签发: per unit, a liaison's reply goes to the unit leader first (不需要 / 仅重件 / 全部答复); the reply's time
for timeliness is when it reaches the centre."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders import handling
from portal.orders.enums import OrderKind, OrderState, RequestStatus, ReturnStage
from portal.orders.records import Reply
from portal.orders.transitions import allowed_actions
from tests.factories import UserFactory
from tests.orders.factories import NOW, frozen, order_in, staffed_unit

S = OrderState


def _reply(order, actor, at=NOW):
    with frozen(at):
        reply = handling.submit_reply(order, actor, result="已联系群众并处理。", contact_way="电话",
                                      contacted_at=at - timedelta(hours=1), resolved=True)
        db.session.commit()
    return reply


# setting, kind, urgent -> the liaison's reply waits for the leader
CASES = [
    ("none", OrderKind.COMPLAINT, True, False),
    ("major", OrderKind.CONSULT, False, False),
    ("major", OrderKind.CONSULT, True, True),     # 紧急
    ("major", OrderKind.COMPLAINT, False, True),  # 投诉
    ("major", OrderKind.REPORT, False, True),     # 举报
    ("all", OrderKind.CONSULT, False, True),
]


@pytest.mark.parametrize("setting, kind, urgent, waits", CASES)
def test_each_setting_sends_the_liaisons_reply_to_the_leader_or_to_the_centre(setting, kind, urgent, waits):
    unit, leader, liaison = staffed_unit()
    unit.reply_signoff = setting
    with frozen():
        order = order_in(S.IN_PROGRESS, unit, kind=kind, urgent=urgent)
        assert ("submit_reply_for_signoff" in allowed_actions(order, liaison)) is waits
        assert ("reply" in allowed_actions(order, liaison)) is not waits
        assert "reply" in allowed_actions(order, leader)  # a leader's own reply needs no sign-off
    reply = _reply(order, liaison)
    assert order.state == (S.IN_PROGRESS if waits else S.REPLIED)
    assert reply.stage == (ReturnStage.LEADER if waits else ReturnStage.CENTRE)
    assert reply.reached_centre_at == (None if waits else NOW)
    assert order.events[-1].action == ("submit_reply_for_signoff" if waits else "reply")


def test_the_leader_signs_off_and_timeliness_counts_from_then():
    unit, leader, liaison = staffed_unit()
    unit.reply_signoff = "all"
    staff = UserFactory(role="centre_staff", unit=None)
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)  # handle deadline Friday 2026-11-27 23:59:59
    _reply(order, liaison, at=datetime(2026, 11, 27, 16))
    with frozen(datetime(2026, 11, 27, 17)):
        assert "leader_approve_reply" in allowed_actions(order, leader)
        assert allowed_actions(order, staff).isdisjoint({"accept_reply", "reject_reply"})
        with pytest.raises(RuleViolation):  # the centre cannot review a reply the leader has not signed
            handling.review_reply(order, staff, True, "")
    db.session.rollback()
    assert order.state == S.IN_PROGRESS
    signed = datetime(2026, 11, 30, 9)  # Monday: after the deadline
    with frozen(signed):
        reply = handling.leader_decide_reply(order, leader, True, "同意")
        db.session.commit()
    assert (order.state, reply.stage, reply.reached_centre_at) == (S.REPLIED, ReturnStage.CENTRE, signed)
    with frozen(signed + timedelta(hours=2)):
        handling.review_reply(order, staff, True, "")
        db.session.commit()
    assert order.completed_at == signed and order.completed_at > order.handle_deadline  # late: the leader sat on it


def test_the_leader_sends_it_back_with_a_reason_and_the_liaison_replies_again():
    unit, leader, liaison = staffed_unit()
    unit.reply_signoff = "all"
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
    first = _reply(order, liaison)
    with frozen(NOW + timedelta(hours=1)):
        with pytest.raises(RuleViolation):  # a second reply while the first waits
            handling.submit_reply(order, liaison, result="再次回复", contact_way="电话", contacted_at=NOW,
                                  resolved=True)
        db.session.rollback()
        handling.leader_decide_reply(order, leader, False, "请补充处理结果的照片")
        db.session.commit()
    assert (order.state, first.status, first.leader_note) == (S.IN_PROGRESS, RequestStatus.REJECTED, "请补充处理结果的照片")
    second = _reply(order, liaison, at=NOW + timedelta(hours=2))
    assert second.stage == ReturnStage.LEADER and second.id != first.id


def test_a_liaison_or_another_units_leader_cannot_sign_off():
    unit, _leader, liaison = staffed_unit()
    _other, stranger, _l = staffed_unit()
    unit.reply_signoff = "all"
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
    reply = _reply(order, liaison)
    for actor in (liaison, stranger):
        with frozen(NOW + timedelta(hours=1)), pytest.raises(RuleViolation):
            handling.leader_decide_reply(order, actor, True, "")
        db.session.rollback()
        assert (order.state, db.session.get(Reply, reply.id).stage) == (S.IN_PROGRESS, ReturnStage.LEADER)


def test_a_unit_without_an_active_leader_replies_straight_to_the_centre():
    unit, leader, liaison = staffed_unit()
    unit.reply_signoff = "all"
    leader.active = False
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
    reply = _reply(order, liaison)
    assert (order.state, reply.stage) == (S.REPLIED, ReturnStage.CENTRE)


def test_the_order_page_offers_the_leader_the_sign_off_and_a_unit_sets_it(client, login_as):
    from portal.units.models import Unit

    unit, leader, liaison = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
    login_as("admin")
    resp = client.post(f"/admin/units/{unit.id}/edit", data={
        "full_name": unit.full_name, "short_name": unit.short_name, "aliases": "", "group": unit.group,
        "display_order": unit.display_order, "lead_name": "", "lead_mobile": "", "reply_signoff": "all"})
    assert resp.status_code in (302, 303)
    assert db.session.get(Unit, unit.id).reply_signoff == "all"
    _reply(order, liaison)
    with client.session_transaction() as sess:
        sess.clear()
        sess["_user_id"], sess["_fresh"] = leader.get_id(), True
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'data-testid="panel-leader_reply"' in page and "待单位负责人签发" in page
    resp = client.post(f"/orders/{order.id}/act/leader_reject_reply", data={"version": order.version, "text": ""})
    assert resp.status_code == 422 and order.state == S.IN_PROGRESS
    db.session.expire_all()
    resp = client.post(f"/orders/{order.id}/act/leader_approve_reply", data={"version": order.version, "text": "同意"})
    assert resp.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(type(order), order.id).state == S.REPLIED
