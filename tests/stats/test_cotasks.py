"""协办数 and 协办及时率 as of T: parts answered on time, late, released, withdrawn; the order counts for its lead."""
from __future__ import annotations

from datetime import date, datetime

from portal.auth.roles import Role
from portal.orders import services, tasks
from portal.orders.enums import OrderKind
from portal.stats.period import Period
from portal.stats.rates import city_rates, unit_rates
from portal.stats.table import unit_table
from portal.circulars.snapshot import build
from tests.factories import UnitFactory, UserFactory
from tests.orders.factories import frozen


def _period(as_of: datetime) -> Period:
    return Period(date(2026, 11, 1), date(2026, 11, 30), as_of)


def _city():
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    lead = UnitFactory(short_name="市环保局")
    units = {name: UnitFactory(short_name=name) for name in ("甲局", "乙局", "丙局", "丁局")}
    people = {name: UserFactory(role=Role.LIAISON, unit=u) for name, u in units.items()}
    with frozen(datetime(2026, 11, 23, 9, 0)):  # Monday
        order = services.create_order(staff, kind=OrderKind.CONSULT, content="夜间施工噪声扰民，请处理。")
    with frozen(datetime(2026, 11, 23, 9, 10)):
        # 咨询: lead due Thursday 11-26 23:59:59; co-parts two working days before: Tuesday 11-24 23:59:59.
        tasks.dispatch_with_co_units(order, staff, lead, co_units=[units["甲局"], units["乙局"], units["丙局"]])
    parts = {t.unit.short_name: t for t in tasks.order_tasks(order)}
    with frozen(datetime(2026, 11, 24, 9, 0)):
        parts["丁局"] = tasks.add_co_task(order, staff, units["丁局"], deadline=datetime(2026, 11, 25, 18, 0))
    with frozen(datetime(2026, 11, 24, 10, 0)):
        for name in ("甲局", "丙局"):
            tasks.sign_task(parts[name], people[name])
        tasks.answer_task(parts["甲局"], people["甲局"], "已核查，同意主办意见。")
    with frozen(datetime(2026, 11, 24, 11, 0)):
        tasks.request_release(parts["丙局"], people["丙局"], "不属本单位职责")
    with frozen(datetime(2026, 11, 24, 12, 0)):
        tasks.decide_release(parts["丙局"], staff, True)
    with frozen(datetime(2026, 11, 25, 10, 0)):
        tasks.sign_task(parts["乙局"], people["乙局"])
        tasks.answer_task(parts["乙局"], people["乙局"], "迟到的意见。")  # due Tuesday: late
    with frozen(datetime(2026, 11, 26, 10, 0)):
        tasks.withdraw_task(parts["丁局"], staff, "无需协办")  # never answered
    return lead, units


def _figures(rates, units):
    return {name: (rates[u.id].co_tasks, rates[u.id].co_due, rates[u.id].co_on_time, rates[u.id].co_rate_text)
            for name, u in units.items() if u.id in rates and rates[u.id].co_tasks}


def test_co_task_figures_as_of_three_times():
    lead, units = _city()
    early = _figures(unit_rates(_period(datetime(2026, 11, 24, 9, 30))), units)
    assert early == {name: (1, 0, 0, "—") for name in ("甲局", "乙局", "丙局", "丁局")}
    middle = unit_rates(_period(datetime(2026, 11, 25, 12, 0)))
    assert _figures(middle, units) == {"甲局": (1, 1, 1, "100.0%"), "乙局": (1, 1, 0, "0.0%"), "丁局": (1, 0, 0, "—")}
    late = unit_rates(_period(datetime(2026, 11, 27, 12, 0)))
    assert _figures(late, units) == {"甲局": (1, 1, 1, "100.0%"), "乙局": (1, 1, 0, "0.0%")}
    city = city_rates(_period(datetime(2026, 11, 27, 12, 0)), late)
    assert (city.co_tasks, city.co_due, city.co_on_time, city.co_rate_text) == (2, 2, 1, "50.0%")


def test_the_order_counts_only_for_its_lead_and_the_circular_keeps_the_co_figures():
    lead, units = _city()
    period = _period(datetime(2026, 11, 27, 12, 0))
    table = unit_table(period)
    assert [(r.short_name, r.total) for r in table.rows] == [("市环保局", 1)]
    snapshot = build(period.start, period.end, period.as_of)
    assert [(r["short_name"], r["co_tasks"], r["co_rate_text"]) for r in snapshot["co_tasks"]] == [
        ("甲局", 1, "100.0%"), ("乙局", 1, "0.0%")]


def test_the_dashboards_show_the_co_figures(client, login_as):
    lead, units = _city()
    with frozen(datetime(2026, 11, 27, 12, 0)):
        login_as(Role.CENTRE_STAFF)
        page = client.get("/stats/?start=2026-11-01&end=2026-11-30").get_data(as_text=True)
        assert "协办数" in page and "协办及时率" in page
        login_as(Role.LIAISON, unit=units["乙局"])
        own = client.get("/stats/unit?start=2026-11-01&end=2026-11-30").get_data(as_text=True)
    assert 'data-own="协办数">1<' in own and 'data-own="协办及时率">0.0%<' in own
