"""Reminders sent by cron commands link to the right page, built from configuration like any other link."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.notifications.models import Notification
from portal.orders.enums import OrderState
from portal.web.links import absolute_link_for, link_for
from tests.factories import UnitFactory
from tests.knowledge.factories import campaign
from tests.orders.factories import NOW, frozen, order_in


def _links(user) -> list[str]:
    return list(db.session.scalars(select(Notification.link).where(Notification.user_id == user.id)))


def test_orders_remind_from_the_command_line_links_to_the_order(runner, client, login_as):
    unit = UnitFactory()
    with frozen():
        me = login_as(Role.LIAISON, unit)
        order = order_in(OrderState.IN_PROGRESS, unit, handle_deadline=NOW + timedelta(hours=3))
        result = runner.invoke(args=["orders", "remind"])
        assert result.exit_code == 0, result.output
        [link] = _links(me)
        page = client.get(link)
    assert page.status_code == 200 and order.number in page.get_data(as_text=True)
    assert link == f"/orders/{order.id}"


def test_kb_remind_from_the_command_line_links_to_the_campaigns(runner, client, login_as):
    """Before, `flask kb remind` stored notifications with an empty link (no request, no SERVER_NAME)."""
    unit = UnitFactory()
    me = login_as(Role.LIAISON, unit)
    campaign(datetime(2030, 1, 10, 23, 59, 59), units=[unit], starts_at=datetime(2029, 12, 1), title="一月报送任务")
    result = runner.invoke(args=["kb", "remind", "--days", "3", "--at", "2030-01-08 09:00:00"])
    assert result.exit_code == 0, result.output
    [link] = _links(me)
    assert link
    page = client.get(link)
    assert page.status_code == 200 and "一月报送任务" in page.get_data(as_text=True)


def test_links_follow_the_configured_address_in_requests_and_commands(app, client):
    app.config["PORTAL_BASE_URL"] = "https://12345.example.cn/hotline/"
    try:
        assert link_for("orders.detail", order_id=7) == "/hotline/orders/7"
        with app.test_request_context("/anything", base_url="http://10.0.0.5:5000/"):
            assert link_for("orders.detail", order_id=7) == "/hotline/orders/7"  # not the request's address
        assert absolute_link_for("knowledge.campaigns") == "https://12345.example.cn/hotline/knowledge/campaigns"
    finally:
        app.config["PORTAL_BASE_URL"] = ""
