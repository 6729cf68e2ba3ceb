"""系统设置: time limits and holiday arrangements through the pages, with Chinese validation messages."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from portal.orders.limits import current_limits
from portal.calendar.workdays import is_working_day
from portal.orders.enums import OrderKind
from tests.calendar.helpers import dispatched_order
from tests.factories import UnitFactory

TODAY = datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
HX = {"HX-Request": "true"}
LIMITS = {"handle_consult": "3", "handle_help": "5", "handle_complaint": "10", "handle_suggestion": "10",
          "handle_report": "10", "handle_praise": "3", "sign_working_days": "1", "urgent_sign_minutes": "30",
          "urgent_handle_hours": "24", "co_task_days_before": "2"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_admin_sees_limits_and_the_missing_2027_warning(client, login_as):
    login_as("admin")
    page = client.get("/settings/").get_data(as_text=True)
    assert 'data-testid="calendar-warning"' in page and "2027 年的节假日安排尚未录入" in page
    assert 'name="handle_consult"' in page and 'value="3"' in page
    home = client.get("/").get_data(as_text=True)
    assert "2027 年的节假日安排尚未录入" in home


def test_no_warning_for_other_roles_on_the_home_page(client, login_as):
    login_as("centre_staff")
    assert "节假日安排尚未录入" not in client.get("/").get_data(as_text=True)


def test_no_warning_far_from_the_new_year(client, login_as):
    login_as("admin")
    with time_machine.travel(datetime(2026, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        assert "节假日安排尚未录入" not in client.get("/settings/").get_data(as_text=True)


def test_saving_limits(client, login_as):
    login_as("admin")
    resp = client.post("/settings/limits", data={**LIMITS, "handle_consult": "4"}, headers=HX)
    assert resp.status_code == 200
    assert "已保存，1 项时限有变化" in resp.get_data(as_text=True)
    assert current_limits().handle_days[OrderKind.CONSULT] == 4


def test_saving_the_co_task_lead_time(client, login_as):
    login_as("admin")
    assert current_limits().co_task_days_before == 2
    resp = client.post("/settings/limits", data={**LIMITS, "co_task_days_before": "1"}, headers=HX)
    assert resp.status_code == 200 and current_limits().co_task_days_before == 1
    resp = client.post("/settings/limits", data={**LIMITS, "co_task_days_before": "11"}, headers=HX)
    assert resp.status_code == 422 and "协办时限须为 0–10 之间的整数" in resp.get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("handle_help", "0", "求助须为 1–60 之间的整数（工作日）。"),
    ("handle_help", "abc", "求助须为 1–60 之间的整数（工作日）。"),
    ("urgent_sign_minutes", "2000", "紧急工单签收时限须为 5–1440 之间的整数（分钟）。"),
    ("urgent_handle_hours", "", "请填写紧急工单办理时限。"),
])
def test_bad_limits_are_refused_with_chinese_messages_and_keep_the_input(client, login_as, field, value, message):
    login_as("admin")
    resp = client.post("/settings/limits", data={**LIMITS, "handle_consult": "7", field: value}, headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert message in body
    assert 'value="7"' in body  # what the admin typed is still there
    assert current_limits().handle_days[OrderKind.CONSULT] == 3


def test_entering_2027_recomputes_open_orders_and_clears_the_warning(client, login_as):
    login_as("admin")
    order = dispatched_order(UnitFactory(), datetime(2026, 12, 30, 10))
    form = {"holidays": "2027-01-01 至 2027-01-03 元旦\n2027/2/6-2027/2/13 春节", "workdays": "2027-02-14 春节调休",
            "note": "国办发明电〔2026〕X号"}
    resp = client.post("/settings/calendar/2027", data=form, headers=HX)
    assert resp.status_code == 200 and resp.headers["HX-Redirect"] == "/settings/"
    page = client.get("/settings/").get_data(as_text=True)
    assert "2027年节假日安排已保存" in page and "1 件未办结工单的时限已重新计算" in page
    assert "节假日安排尚未录入" not in page
    assert "春节：02月06日至02月13日放假，共 8 天" in page
    assert not is_working_day(date(2027, 1, 1)) and is_working_day(date(2027, 2, 14))
    assert order.handle_deadline == datetime(2027, 1, 5, 23, 59, 59)
    assert order.events[-1].action == "deadline_recomputed"
    # The edit form shows what was entered.
    edit = client.get("/settings/calendar/2027").get_data(as_text=True)
    assert "2027-02-06 至 2027-02-13 春节" in edit and "2027-02-14 春节调休" in edit


@pytest.mark.parametrize("holidays, workdays, message", [
    ("", "", "请至少填写一段放假安排"),
    ("2027-01-01元旦", "", "第 1 行“2027-01-01元旦”格式不正确"),
    ("2027-02-30 春节", "", "第 1 行：日期 2027-02-30 不存在。"),
    ("2027-01-05 至 2027-01-03 元旦", "", "第 1 行：结束日期早于开始日期。"),
    ("2028-01-01 元旦", "", "“元旦”的日期 2028-01-01 不在 2027 年内。"),
    ("2027-01-01 元旦", "2027-01-04 调休", "调休上班日 2027-01-04 不是周六或周日"),
    ("2027-01-01 至 2027-01-03 元旦", "2027-01-02", "2027-01-02 既是假日（元旦）又是调休上班日。"),
    ("2027-01-01 元旦\n2027-01-01 春节", "", "2027-01-01 同时属于“元旦”和“春节”。"),
])
def test_bad_arrangements_are_refused(client, login_as, holidays, workdays, message):
    login_as("admin")
    resp = client.post("/settings/calendar/2027", data={"holidays": holidays, "workdays": workdays}, headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert message in body
    assert is_working_day(date(2027, 1, 1))  # nothing saved


def test_years_outside_the_range_or_in_the_package_are_not_found(client, login_as):
    login_as("admin")
    assert client.get("/settings/calendar/2040").status_code == 404
    assert client.get("/settings/calendar/2018").status_code == 404
    assert client.get("/settings/calendar/2027").status_code == 200


def test_deleting_an_arrangement(client, login_as):
    login_as("admin")
    client.post("/settings/calendar/2027", data={"holidays": "2027-01-01 元旦"}, headers=HX)
    assert not is_working_day(date(2027, 1, 1))
    resp = client.post("/settings/calendar/2027/delete", headers=HX)
    assert resp.status_code == 200
    assert is_working_day(date(2027, 1, 1))
    assert client.post("/settings/calendar/2027/delete", headers=HX).status_code == 404


def test_only_admins(client, login_as):
    login_as("centre_staff")
    assert client.get("/settings/").status_code == 403


def test_admin_chooses_which_callback_levels_count_as_satisfied(client, login_as):
    from portal.orders.callbacks import satisfied_levels
    from portal.orders.enums import CallbackResult

    login_as("admin")
    page = client.get("/settings/").get_data(as_text=True)
    assert "非常不满意" in page and 'data-testid="callback-levels"' in page
    assert satisfied_levels() == {CallbackResult.VERY_SATISFIED, CallbackResult.SATISFIED,
                                  CallbackResult.BASICALLY_SATISFIED}
    resp = client.post("/settings/callback-levels", data={"levels": ["very_satisfied", "satisfied"]})
    assert resp.status_code == 303
    assert satisfied_levels() == {CallbackResult.VERY_SATISFIED, CallbackResult.SATISFIED}
    refused = client.post("/settings/callback-levels", data={})
    assert refused.status_code == 422 and "请至少选择一个计为满意的回访结果" in refused.get_data(as_text=True)
    assert satisfied_levels() == {CallbackResult.VERY_SATISFIED, CallbackResult.SATISFIED}
