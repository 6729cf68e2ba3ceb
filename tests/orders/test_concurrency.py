"""Two people acting on one order at once: one wins, the other sees a clear message, nothing is lost."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from portal.errors import Conflict
from portal.extensions import db
from portal.orders import handling
from portal.orders.enums import OrderState
from portal.orders.models import OrderEvent, WorkOrder
from portal.orders.records import Reply
from portal.orders.transitions import CONFLICT_MESSAGE
from tests.orders.factories import frozen, order_in, staffed_unit

S = OrderState


def _client_for(app, user):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    return client


def _reply(version, result):
    return {"version": version, "result": result, "contact_way": "电话", "contacted_at": "2026-11-24T09:30",
            "resolved": "1"}


def test_two_liaisons_reply_from_the_same_page_one_wins_the_other_keeps_the_text(app):
    unit, leader, liaison = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        version = order.version  # both rendered the page at this version
        first, second = _client_for(app, liaison), _client_for(app, leader)
        won = first.post(f"/orders/{order.id}/act/reply", data=_reply(version, "甲：已上门处理完毕。"),
                         headers={"HX-Request": "true"})
        lost = second.post(f"/orders/{order.id}/act/reply", data=_reply(version, "乙：已电话答复群众。"),
                           headers={"HX-Request": "true"})
    assert won.status_code == 200 and "HX-Redirect" in won.headers
    body = lost.get_data(as_text=True)
    assert lost.status_code == 409
    assert CONFLICT_MESSAGE in body and "乙：已电话答复群众。" in body  # the loser's text comes back
    db.session.expire_all()
    assert db.session.get(WorkOrder, order.id).state == S.REPLIED
    assert [r.result for r in db.session.scalars(select(Reply))] == ["甲：已上门处理完毕。"]
    signs = db.session.scalars(select(OrderEvent).where(OrderEvent.action == "reply")).all()
    assert [e.actor_id for e in signs] == [liaison.id]


def test_a_write_that_finds_a_newer_version_becomes_a_conflict(app):
    """The UPDATE carries the version it read; someone else's commit in between makes it stale."""
    unit, _leader, liaison = staffed_unit()
    with frozen():
        order = order_in(S.DISPATCHED, unit)
        order_id, version = order.id, order.version
        db.session.refresh(liaison)  # loaded, as current_user is in a request
        session = db.session()
        session.expire_on_commit = False
        try:
            db.session.commit()  # end our read; `order` stays loaded at `version`
            with db.engine.begin() as other:  # another request signs first
                other.execute(text("UPDATE work_order SET state = 'in_progress', version = version + 1 "
                                   "WHERE id = :id AND version = :v"), {"id": order_id, "v": version})
            with pytest.raises(Conflict, match="已被他人处理"):
                handling.sign(order, liaison)
        finally:
            session.expire_on_commit = True
    db.session.rollback()
    fresh = db.session.get(WorkOrder, order_id)
    assert (fresh.state, fresh.version, fresh.handler_id) == (S.IN_PROGRESS, version + 1, None)
    assert db.session.scalars(select(OrderEvent).where(OrderEvent.action == "sign")).all() == []
