"""系统设置 › 申诉与问题工单: the appeal window and the 问题工单 thresholds."""
from __future__ import annotations

from portal.orders.limits import current_limits, invalidate_cache


def test_admin_sets_the_window_and_thresholds_and_bad_input_changes_nothing(client, login_as):
    login_as("admin")
    page = client.get("/settings/").get_data(as_text=True)
    assert 'data-testid="escalation"' in page and "申诉期限" in page
    bad = client.post("/settings/escalation", data={"appeal_window_days": "0", "problem_reopens": "3",
                                                    "problem_units": "x"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "申诉期限须为 1–20 之间的整数" in text and "经办单位数须为 2–20 之间的整数" in text
    invalidate_cache()
    assert (current_limits().appeal_window_days, current_limits().problem_units) == (3, 3)
    ok = client.post("/settings/escalation", data={"appeal_window_days": "5", "problem_reopens": "4",
                                                   "problem_units": "2"})
    assert ok.status_code in (302, 303)
    invalidate_cache()
    limits = current_limits()
    assert (limits.appeal_window_days, limits.problem_reopens, limits.problem_units) == (5, 4, 2)


def test_only_admins_change_them(client, login_as):
    login_as("centre_staff")
    assert client.post("/settings/escalation", data={"appeal_window_days": "9", "problem_reopens": "4",
                                                     "problem_units": "2"}).status_code == 403
    invalidate_cache()
    assert current_limits().appeal_window_days == 3
