"""notify(), the badge and list, and `orders remind` (idempotent under cron)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.notifications.models import Notification
from portal.notifications.services import notify, unread_count
from portal.orders import handling
from portal.orders.enums import OrderState
from portal.orders.reminders import send_deadline_reminders, send_sign_reminders
from tests.factories import UserFactory
from tests.orders.factories import NOW, frozen, order_in, staffed_unit

S = OrderState


def test_notify_a_unit_reaches_its_active_users_only():
    unit, leader, liaison = staffed_unit()
    gone = UserFactory(role=Role.LIAISON, unit=unit, active=False)
    made = notify(unit, "new_order", "新工单", "/orders/1")
    assert sorted(n.user_id for n in made) == sorted([leader.id, liaison.id])
    assert unread_count(gone) == 0


def test_badge_and_list_and_mark_read(client, login_as):
    unit, _l, _li = staffed_unit()
    user = login_as(Role.LIAISON, unit=unit)
    notify(user, "supervise", "工单 2026112401 督办：请加快办理", "/orders/1")
    notify(user, "new_order", "新工单 2026112402", "/orders/2")
    db.session.commit()
    badge = client.get("/notifications/badge", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-testid="notifications-count">2<' in badge and "every 30s" in badge
    page = client.get("/notifications/").get_data(as_text=True)
    assert "请加快办理" in page and "督办" in page
    first = db.session.scalars(select(Notification).order_by(Notification.id)).first()
    resp = client.post(f"/notifications/{first.id}/read")
    assert resp.status_code == 303 and resp.headers["Location"] == "/orders/1"
    assert unread_count(user) == 1
    client.post("/notifications/read-all")
    assert unread_count(user) == 0


def test_someone_elses_notification_is_404(client, login_as):
    other = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    item = notify(other, "supervise", "x", "/")[0]
    db.session.commit()
    login_as(Role.CENTRE_STAFF)
    assert client.post(f"/notifications/{item.id}/read").status_code == 404


def test_remind_once_per_deadline_even_when_run_again():
    unit, leader, liaison = staffed_unit()
    soon = order_in(S.IN_PROGRESS, unit, handle_deadline=datetime(2026, 11, 24, 23, 59, 59))
    order_in(S.IN_PROGRESS, unit, handle_deadline=datetime(2026, 11, 27, 23, 59, 59))  # not within 24 h
    order_in(S.IN_PROGRESS, unit, handle_deadline=datetime(2026, 11, 23, 23, 59, 59))  # already overdue
    order_in(S.REPLIED, unit, handle_deadline=datetime(2026, 11, 24, 23, 59, 59))  # the unit has replied
    with frozen():
        assert send_deadline_reminders() == 2  # leader and liaison, for `soon` only
        db.session.commit()
    with frozen(datetime(2026, 11, 24, 10, 5)):
        assert send_deadline_reminders() == 0
    texts = db.session.scalars(select(Notification.text).where(Notification.user_id == liaison.id)).all()
    assert len(texts) == 1 and soon.number in texts[0]


def test_an_extended_deadline_is_reminded_again():
    unit, _leader, liaison = staffed_unit()
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    with frozen(datetime(2026, 11, 27, 9, 0)):  # Friday, deadline tonight
        order = order_in(S.IN_PROGRESS, unit, handle_deadline=datetime(2026, 11, 27, 23, 59, 59))
        assert send_deadline_reminders() == 2
        handling.request_extension(order, liaison, "需协调", 1)
        handling.decide_extension(order, staff, True, "")
        db.session.commit()
    assert order.handle_deadline == datetime(2026, 11, 30, 23, 59, 59)
    with frozen(datetime(2026, 11, 30, 8, 0)):
        assert send_deadline_reminders() == 2
        assert send_deadline_reminders() == 0


def test_remind_command(runner):
    unit, _leader, _liaison = staffed_unit()
    order_in(S.DISPATCHED, unit, handle_deadline=datetime(2026, 11, 25, 9, 0))
    with frozen():
        first = runner.invoke(args=["orders", "remind"])
        second = runner.invoke(args=["orders", "remind"])
    assert first.exit_code == 0 and "2 条" in first.output
    assert second.exit_code == 0 and "0 条" in second.output


def test_sign_reminders_within_two_hours_or_passed_once_per_sign_deadline():
    unit, leader, liaison = staffed_unit()
    soon = order_in(S.DISPATCHED, unit, sign_deadline=datetime(2026, 11, 24, 11, 30))  # in 1.5 h
    late = order_in(S.DISPATCHED, unit, sign_deadline=datetime(2026, 11, 24, 9, 0))  # passed an hour ago
    order_in(S.DISPATCHED, unit, sign_deadline=datetime(2026, 11, 24, 12, 30))  # 2.5 h: not yet
    order_in(S.IN_PROGRESS, unit, sign_deadline=datetime(2026, 11, 24, 9, 0))  # signed already
    with frozen():
        assert send_sign_reminders(NOW) == 4  # leader and liaison, for `soon` and `late`
        db.session.commit()
        assert send_deadline_reminders() == 0  # cron again: nothing new
    texts = db.session.scalars(select(Notification.text).where(Notification.user_id == liaison.id,
                                                               Notification.kind == "sign_due")).all()
    assert sorted(t.split()[1] for t in texts) == sorted([soon.number, late.number])
    assert any("已超过签收时限" in t and late.number in t for t in texts)
    assert any("签收时限即将到期" in t and soon.number in t for t in texts)
    assert unread_count(leader) == 2


def test_a_redispatch_sets_a_new_sign_deadline_that_is_reminded_again():
    unit, _leader, _liaison = staffed_unit()
    order = order_in(S.DISPATCHED, unit, sign_deadline=datetime(2026, 11, 24, 11, 0))
    with frozen():
        assert send_sign_reminders(NOW) == 2
        order.sign_deadline = datetime(2026, 11, 24, 10, 30)  # an urgent re-dispatch: 30 minutes
        db.session.commit()
        assert send_deadline_reminders() == 2
        assert send_deadline_reminders() == 0


def test_remind_command_counts_sign_reminders(runner):
    unit, _leader, _liaison = staffed_unit()
    order_in(S.DISPATCHED, unit, sign_deadline=datetime(2026, 11, 24, 11, 0))
    with frozen():
        first = runner.invoke(args=["orders", "remind"])
        second = runner.invoke(args=["orders", "remind"])
    assert first.exit_code == 0 and "已发送到期提醒 2 条（办理时限 0，签收时限 2）" in first.output
    assert second.exit_code == 0 and "已发送到期提醒 0 条（办理时限 0，签收时限 0）" in second.output
