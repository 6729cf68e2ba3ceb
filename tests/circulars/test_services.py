"""Drafting freezes the figures; refresh re-computes a draft; an issued circular never changes."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from portal.circulars import services
from portal.circulars.models import Circular, CircularStatus
from portal.errors import Conflict, RuleViolation
from portal.extensions import db
from portal.orders.enums import OrderKind, OrderState
from tests.circulars.helpers import AS_OF, august
from tests.knowledge.factories import submitted_entry
from tests.stats.factories import OrderFactory, closed

AUG = (date(2018, 8, 1), date(2018, 8, 31))


def draft(world, as_of=AS_OF):
    circular = services.draft(*AUG, as_of, world.staff)
    db.session.commit()
    return circular


def test_draft_freezes_every_figure_from_the_query_layers():
    world = august()
    c = draft(world)
    s = c.snapshot
    assert s["calls"] == {"calls": 4, "direct": 3, "to_order": 1}
    assert (s["totals"]["total"], s["totals"]["on_time"], s["totals"]["overdue_open"], s["totals"]["rate_text"]) == \
        (3, 2, 1, "67%")
    assert [u["short_name"] for u in s["units"]] == ["恒口示范区", "市人社局"]
    assert s["tags"] == [["生态环境保护", 1]]
    assert s["overdue_units"] == [{"unit_id": world.a.id, "short_name": "恒口示范区",
                                   "full_name": "安康市恒口示范区管理委员会", "overdue_open": 1}]
    assert [u["short_name"] for u in s["non_submitters"][0]["units"]] == ["市人社局"]
    assert s["non_submitters"][0]["deadline"] == "2018-08-25 23:59:59"
    assert "恒口示范区1件工单任务逾期未办结" in c.texts["s3"]
    assert "市人社局未报送知识库信息内容" in c.texts["s3"]
    assert c.texts["s1"].startswith("8月，共接听群众来电4件，直接回复3件，形成工单办理3件（含生态环境保护1件）。")
    assert c.issuer == "安康市政务服务中心" and c.issue_date == date(2018, 9, 29)
    assert {r.unit_id for r in c.recipients} == {world.a.id, world.b.id}
    assert c.status == CircularStatus.DRAFT


def test_issuer_comes_from_the_setting(app):
    world = august()
    app.config["CIRCULAR_ISSUER"] = "某市政务服务中心"
    try:
        assert draft(world).issuer == "某市政务服务中心"
    finally:
        app.config.pop("CIRCULAR_ISSUER")


def test_refresh_recomputes_a_draft_and_keeps_edited_sections():
    world = august()
    c = draft(world)
    services.update(c, world.staff, fields={}, texts={"s3": "1.人工改写的问题。"})
    db.session.commit()
    OrderFactory(last_unit=world.b, kind=OrderKind.HELP, accepted_at=datetime(2018, 8, 30, 9))
    services.refresh(c, world.staff)
    db.session.commit()
    assert c.snapshot["totals"]["total"] == 4
    assert "形成工单办理4件" in c.texts["s1"]  # unedited: follows the data
    assert c.texts["s3"] == "1.人工改写的问题。"  # edited: kept
    services.refresh(c, world.staff, redraft=True)
    assert c.texts["s3"].startswith("1.工单办理机制有待健全。")


def test_refresh_keeps_picked_cases_and_takes_a_new_as_of():
    world = august()
    c = draft(world)
    services.add_case(c, world.staff, world.praise.id)
    services.refresh(c, world.staff, as_of=datetime(2018, 8, 15, 9))
    assert c.as_of == datetime(2018, 8, 15, 9)
    assert c.snapshot["totals"]["overdue_open"] == 0 and c.snapshot["totals"]["in_progress"] == 1
    assert [x["number"] for x in c.snapshot["cases"]] == ["2018080801"]


def test_new_deadline_rewrites_the_requirements_until_they_are_edited():
    world = august()
    c = draft(world)
    assert "要尽快完成报送工作" in c.texts["s4"]
    services.update(c, world.staff, fields={"new_deadline": date(2018, 10, 12)}, texts={})
    assert "1个未报送知识库信息的单位要在10月12日前完成报送工作" in c.texts["s4"]
    services.redraft_section(c, world.staff, "s4")
    with pytest.raises(RuleViolation):
        services.redraft_section(c, world.staff, "s9")


def test_cases_are_orders_of_the_period_frozen_when_picked():
    world = august()
    c = draft(world)
    services.add_case(c, world.staff, world.praise.id)
    case = c.snapshot["cases"][0]
    assert case["text"] == "平利县城关镇徐女士8月8日来电表扬（工单编号2018072106）。"
    with pytest.raises(RuleViolation, match="已在典型案例中"):
        services.add_case(c, world.staff, world.praise.id)
    july = OrderFactory(accepted_at=datetime(2018, 7, 30, 9))
    with pytest.raises(RuleViolation, match="本期受理"):
        services.add_case(c, world.staff, july.id)
    world.praise.content = "改过的内容"
    db.session.commit()
    assert c.snapshot["cases"][0]["text"].startswith("平利县")
    services.update(c, world.staff, fields={}, texts={}, case_texts={world.praise.id: "编辑后的案例。"})
    assert c.snapshot["cases"][0]["text"] == "编辑后的案例。"
    services.remove_case(c, world.staff, world.praise.id)
    assert c.snapshot["cases"] == []


def test_issued_circular_never_changes_when_data_change():
    world = august()
    c = draft(world)
    services.add_case(c, world.staff, world.praise.id)
    services.issue(c, world.staff)
    db.session.commit()
    frozen = (dict(c.snapshot), dict(c.texts), c.title)
    # Later: the overdue order is completed, a new order arrives, the missing unit submits.
    world.overdue.state, world.overdue.completed_at = OrderState.CLOSED, datetime(2018, 10, 2, 9)
    world.overdue.closed_at = datetime(2018, 10, 2, 10)
    closed(datetime(2018, 8, 20, 9), last_unit=world.b, accepted_at=datetime(2018, 8, 19, 9))
    submitted_entry(world.b, datetime(2018, 9, 30, 10))
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Circular, c.id)
    assert (again.snapshot, again.texts, again.title) == frozen
    with pytest.raises(RuleViolation, match="已印发"):
        services.refresh(again, world.staff)
    with pytest.raises(RuleViolation):
        services.update(again, world.staff, fields={"title": "新标题"}, texts={})
    with pytest.raises(RuleViolation):
        services.add_case(again, world.staff, world.overdue.id)
    with pytest.raises(RuleViolation):
        services.issue(again, world.staff)
    with pytest.raises(RuleViolation):
        services.delete_draft(again, world.staff)


def test_the_database_layer_refuses_changes_to_an_issued_circular():
    world = august()
    c = draft(world)
    services.issue(c, world.staff)
    db.session.commit()
    c.texts = {**c.texts, "s1": "篡改"}
    with pytest.raises(RuleViolation):
        db.session.flush()
    db.session.rollback()
    c = db.session.get(Circular, c.id)
    c.recipients = c.recipients[:1]
    with pytest.raises(RuleViolation):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(Circular, c.id))
    with pytest.raises(RuleViolation):
        db.session.flush()
    db.session.rollback()


def test_a_stale_version_is_a_conflict():
    world = august()
    c = draft(world)
    with pytest.raises(Conflict):
        services.update(c, world.staff, fields={"title": "x"}, texts={}, version=c.version - 1)


def test_draft_rejects_an_inverted_period():
    world = august()
    with pytest.raises(RuleViolation, match="结束日期"):
        services.draft(date(2018, 8, 31), date(2018, 8, 1), AS_OF, world.staff)
