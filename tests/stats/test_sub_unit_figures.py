"""下级单位 figures (portal/stats/subunits.py): each sub-unit's own passed-down parts as of T, the dashboard
table, its XLSX export scoped to the viewer's sub-tree, and the home page's overdue parts."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from portal.auth.roles import Role
from portal.extensions import db
from portal.orders import services
from portal.orders.enums import OrderKind, TaskRole, TaskState
from portal.orders.models import OrderTask
from portal.stats.period import Period
from portal.stats.subunits import overdue_sub_unit_tasks, sub_unit_rows, task_figures
from tests.factories import UnitFactory, UserFactory
from tests.orders.factories import frozen

T = datetime(2026, 11, 24, 10, 0)
PERIOD = Period(date(2026, 11, 1), date(2026, 11, 30), T)
ARGS = "start=2026-11-01&end=2026-11-30&as_of=2026-11-24 10:00"


def _task(county, unit, dispatched, deadline, answered=None, state=None, ended=None, accepted=None):
    """A part passed down to `unit` of an order the centre dispatched to the county (through the services, so
    the order's facts exist), left as the task transitions leave it at those times."""
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    accepted = accepted or datetime(2026, 11, 20, 8, 0)
    with frozen(accepted):
        order = services.create_order(staff, kind=OrderKind.COMPLAINT, content="路灯不亮，请处理。")
    with frozen(accepted + timedelta(minutes=10)):
        services.dispatch(order, staff, county)
    state = state or (TaskState.ANSWERED if answered else TaskState.IN_PROGRESS)
    task = OrderTask(order_id=order.id, unit_id=unit.id, assigner_unit_id=unit.parent_id, role=TaskRole.LEAD,
                     state=state, task_text="请核实", dispatched_at=dispatched, deadline=deadline,
                     answered_at=answered, ended_at=ended)
    db.session.add(task)
    db.session.commit()
    return task


@pytest.fixture
def county():
    county = UnitFactory(short_name="汉滨区政府")
    town = UnitFactory(short_name="老城街道", parent=county, display_order=1)
    community = UnitFactory(short_name="老城社区", parent=town, display_order=1)
    town2 = UnitFactory(short_name="新城街道", parent=county, display_order=2)
    d = datetime
    _task(county, town, d(2026, 11, 20, 9), d(2026, 11, 22, 23, 59, 59), answered=d(2026, 11, 21, 15))  # on time
    _task(county, town, d(2026, 11, 20, 9), d(2026, 11, 21, 23, 59, 59), answered=d(2026, 11, 23, 9))   # late
    _task(county, town, d(2026, 11, 20, 9), d(2026, 11, 23, 23, 59, 59))                               # overdue
    _task(county, town, d(2026, 11, 23, 9), d(2026, 11, 27, 23, 59, 59))                               # in progress
    # Answered only after T: overdue at T.
    _task(county, town, d(2026, 11, 20, 9), d(2026, 11, 22, 23, 59, 59), answered=d(2026, 11, 25, 9))
    # Taken back up before T without an answer: not counted. An order of October, or passed down after T: neither.
    _task(county, town, d(2026, 11, 20, 9), d(2026, 11, 22, 23, 59, 59), state=TaskState.WITHDRAWN,
          ended=d(2026, 11, 21, 9))
    _task(county, town, d(2026, 10, 30, 9), d(2026, 11, 3, 23, 59, 59), answered=d(2026, 11, 2, 9),
          accepted=d(2026, 10, 30, 8))
    _task(county, town, d(2026, 11, 24, 11), d(2026, 11, 28, 23, 59, 59))
    _task(county, community, d(2026, 11, 21, 9), d(2026, 11, 22, 23, 59, 59), answered=d(2026, 11, 22, 9))
    return dict(county=county, town=town, community=community, town2=town2)


def test_each_sub_unit_counts_its_own_parts_as_of_t(county):
    figures = task_figures(PERIOD, [county["town"].id, county["community"].id, county["town2"].id])
    assert figures[county["town"].id] == dict(received=5, on_time=1, late=1, overdue=2, in_progress=1)
    assert figures[county["community"].id] == dict(received=1, on_time=1, late=0, overdue=0, in_progress=0)
    assert county["town2"].id not in figures
    rows = sub_unit_rows(county["county"], PERIOD)
    assert [(r.unit.short_name, r.depth, r.received, r.rate_text) for r in rows] == [
        ("老城街道", 1, 5, "25%"), ("老城社区", 2, 1, "100%"), ("新城街道", 1, 0, "—")]


def test_a_later_t_sees_the_later_answer_and_parts(county):
    later = Period(PERIOD.start, PERIOD.end, datetime(2026, 11, 26, 10))
    town = task_figures(later, [county["town"].id])[county["town"].id]
    # The late answer of 11-25 now counts as late; the part passed down on 11-24 11:00 is in progress.
    assert town == dict(received=6, on_time=1, late=2, overdue=1, in_progress=2)


def test_a_township_sees_itself_and_below_never_its_siblings_or_county(county):
    rows = sub_unit_rows(county["town"], PERIOD)
    assert [(r.unit.short_name, r.depth) for r in rows] == [("老城街道", 0), ("老城社区", 1)]


def test_dashboard_table_and_export_follow_the_viewers_tree(client, login_as, county):
    login_as(Role.UNIT_LEADER, unit=county["county"])
    page = client.get(f"/stats/unit?{ARGS}").text
    assert 'data-testid="sub-unit-figures"' in page and 'data-unit="老城社区"' in page
    resp = client.get(f"/stats/unit/sub-units.xlsx?{ARGS}")
    assert resp.status_code == 200
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(resp.data)).active.iter_rows()]
    assert rows[1][0] == "下级单位"
    assert rows[2] == ["汉滨区政府 › 老城街道", 1, 5, 1, 1, 2, 1, "25%"]
    assert [r[0] for r in rows[2:]] == ["汉滨区政府 › 老城街道", "汉滨区政府 › 老城街道 › 老城社区", "汉滨区政府 › 新城街道"]
    login_as(Role.LIAISON, unit=county["town2"])
    rows = [[c.value for c in row] for row in
            load_workbook(io.BytesIO(client.get(f"/stats/unit/sub-units.xlsx?{ARGS}").data)).active.iter_rows()]
    assert [r[0] for r in rows[2:]] == ["汉滨区政府 › 新城街道"]
    assert "老城" not in client.get(f"/stats/unit?{ARGS}").text


def test_a_unit_without_sub_units_shows_no_table(client, login_as):
    login_as(Role.LIAISON)
    assert 'data-testid="sub-unit-figures"' not in client.get(f"/stats/unit?{ARGS}").text


def test_home_page_lists_the_sub_units_overdue_parts(client, login_as, county):
    leader = UserFactory(role=Role.UNIT_LEADER, unit=county["county"])
    with frozen(T):
        tasks, count = overdue_sub_unit_tasks(leader, T)
        assert count == 1 and {t.unit_id for t in tasks} == {county["town"].id}  # the answer after T is in
        login_as(Role.LIAISON, unit=county["county"])
        page = client.get("/").text
        assert 'data-testid="home-sub-units-overdue"' in page and "汉滨区政府 › 老城街道" in page
        login_as(Role.LIAISON, unit=county["town2"])
        assert 'data-testid="home-sub-units-overdue"' not in client.get("/").text
