"""The dashboards: centre (all units) and unit (own figures + city-wide aggregates only)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from portal.auth.roles import Role
from portal.calls.models import CallOutcome
from portal.orders.enums import OrderKind
from tests.factories import UnitFactory
from tests.stats.factories import CallFactory, OrderFactory, closed

NOW = datetime(2018, 9, 29, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DEADLINE = datetime(2018, 8, 20, 23, 59, 59)
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def august():
    """Two county units with August orders, plus September calls and orders outside the default period."""
    mine = UnitFactory(short_name="汉滨区政府", group="区县政府", display_order=1)
    other = UnitFactory(short_name="恒口示范区", group="区县政府", display_order=4)
    for _ in range(3):
        closed(DEADLINE, last_unit=mine, unit=mine, kind=OrderKind.CONSULT)
    closed(DEADLINE + timedelta(hours=1), last_unit=mine, unit=mine)
    for i in range(2):
        OrderFactory(last_unit=other, unit=other, number=f"20180899{i:02d}", title="其他单位的工单")
    CallFactory(outcome=CallOutcome.DIRECT)
    CallFactory(outcome=CallOutcome.ORDER)
    OrderFactory(accepted_at=datetime(2018, 9, 3, 9, 0), last_unit=mine, unit=mine)
    return mine, other


def _figure(html: str, label: str) -> str:
    return re.search(rf'data-figure="{label}">([^<]*)<', html).group(1)


def test_centre_dashboard_defaults_to_last_month(client, login_as, august):
    login_as(Role.CENTRE_STAFF)
    resp = client.get("/stats/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "2018年8月" in html and 'value="2018-08-01"' in html and 'value="2018-08-31"' in html
    assert [_figure(html, k) for k in ("来电", "工单", "按期办结", "逾期办结", "逾期未办结", "在办", "按期办结率")] == [
        "2", "6", "3", "1", "2", "0", "50%"]
    assert html.index('data-unit="汉滨区政府"') < html.index('data-unit="恒口示范区"')
    assert "echarts.min.js" in html and 'id="chart-daily"' in html
    charts = json.loads(re.search(r'id="stats-charts-data">(.*?)</script>', html, re.S).group(1))
    assert sum(charts["daily"]["orders"]) == 6 and len(charts["daily"]["labels"]) == 31
    assert {k["name"]: k["value"] for k in charts["kinds"]}["咨询"] == 3
    assert "红榜" in html and "黑榜" in html


def test_centre_dashboard_period_picker_returns_the_fragment_for_htmx(client, login_as, august):
    login_as(Role.ADMIN)
    resp = client.get("/stats/?start=2018-09-01&end=2018-09-30&as_of=2018-09-29T12:00", headers=HX)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in html
    assert _figure(html, "工单") == "1" and "2018年9月" in html


def test_sorting_the_unit_table(client, login_as, august):
    login_as(Role.CENTRE_STAFF)
    html = client.get("/stats/?sort=total&dir=asc", headers=HX).get_data(as_text=True)
    assert html.index('data-unit="恒口示范区"') < html.index('data-unit="汉滨区政府"')
    html = client.get("/stats/?sort=overdue_open&dir=desc").get_data(as_text=True)
    assert html.index('data-unit="恒口示范区"') < html.index('data-unit="汉滨区政府"')
    assert 'hx-select="#unit-table"' in html


def test_bad_period_input_is_kept_with_a_chinese_message(client, login_as, august):
    login_as(Role.CENTRE_STAFF)
    resp = client.get("/stats/?start=2018-08-31&end=2018-08-01", headers=HX)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "结束日期不能早于开始日期。" in html and 'value="2018-08-31"' in html and 'value="2018-08-01"' in html
    resp = client.get("/stats/?start=8月1日&as_of=明天", headers=HX)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "请输入有效的开始日期" in html and "请输入有效的统计截止时间" in html
    assert 'value="8月1日"' in html
    assert client.get("/stats/?sort=drop", headers=HX).status_code == 422


def test_export_csv(client, login_as, august):
    login_as(Role.CENTRE_STAFF)
    resp = client.get("/stats/units.csv?start=2018-08-01&end=2018-08-31&as_of=2018-09-29 12:00")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    lines = resp.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("序号,承办单位,工单总量")
    assert lines[1:] == ["1,汉滨区政府,4,3,1,0,0,0,0,3,1,0,0,75%", "2,恒口示范区,2,0,2,0,0,0,0,0,0,2,0,0%",
                         ",合计,6,3,3,0,0,0,0,3,1,2,0,50%"]


def test_unit_dashboard_shows_own_figures_and_city_wide_aggregates_only(client, login_as, august):
    mine, other = august
    login_as(Role.LIAISON, unit=mine)
    due = OrderFactory(last_unit=mine, unit=mine, number="2018092901", title="即将到期的工单",
                       accepted_at=datetime(2018, 9, 27, 9, 0), handle_deadline=datetime(2018, 9, 30, 8, 0))
    late = OrderFactory(last_unit=mine, unit=mine, number="2018092902", title="已逾期的工单",
                        accepted_at=datetime(2018, 9, 20, 9, 0), handle_deadline=datetime(2018, 9, 28, 23, 59, 59))
    resp = client.get("/stats/unit")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    own = dict(re.findall(r'data-own="([^"]+)">([^<]*)<', html))
    city = dict(re.findall(r'data-city="([^"]+)">([^<]*)<', html))
    assert (own["工单总量"], own["按期办结率"], city["工单总量"], city["按期办结率"]) == ("4", "75%", "6", "50%")
    assert "区县政府第 <strong>1</strong> 名" in html
    assert due.number in html and late.number in html
    assert other.short_name not in html and "其他单位的工单" not in html and "2018089900" not in html
    assert re.search(r'data-testid="overdue-orders">.*?2018092902.*?</ul>', html, re.S)
    assert re.search(r'data-testid="due-soon-orders">.*?2018092901.*?</ul>', html, re.S)


def test_the_other_unit_sees_its_own_overdue_orders_and_rank(client, login_as, august):
    mine, other = august
    login_as(Role.UNIT_LEADER, unit=other)
    html = client.get("/stats/unit", headers=HX).get_data(as_text=True)
    own = dict(re.findall(r'data-own="([^"]+)">([^<]*)<', html))
    assert (own["工单总量"], own["逾期未办结"], own["按期办结率"]) == ("2", "2", "0%")
    assert "区县政府第 <strong>2</strong> 名" in html and mine.short_name not in html
    assert "2018089900" in html  # its own overdue orders are listed


def test_unit_without_orders_sees_dashes(client, login_as, august):
    login_as(Role.LIAISON, unit=UnitFactory())
    html = client.get("/stats/unit").get_data(as_text=True)
    own = dict(re.findall(r'data-own="([^"]+)">([^<]*)<', html))
    assert (own["工单总量"], own["按期办结率"]) == ("0", "—")
    assert "本期本单位没有可排名的工单。" in html


def test_home_panel_for_centre_and_unit_users(client, login_as, august):
    mine, _other = august
    login_as(Role.CENTRE_STAFF)
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="stats-home-panel"' in html and "2018年8月工单办理情况" in html
    assert "按期办结率 <strong>50%</strong>" in html
    login_as(Role.LIAISON, unit=mine)
    html = client.get("/").get_data(as_text=True)
    assert "2018年8月本单位办理情况" in html and "按期办结率 <strong>75%</strong>（全市 50%）" in html


def test_operators_see_no_statistics_panel(client, login_as, august):
    login_as(Role.OPERATOR)
    assert 'data-testid="stats-home-panel"' not in client.get("/").get_data(as_text=True)
