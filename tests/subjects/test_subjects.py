"""事项分类: add, rename, move, reorder, retire (kept on orders and in statistics, not offered), import."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.models import Subject
from portal.orders.queries import subject_groups
from portal.subjects import services
from portal.subjects.importing import import_subjects


def _paths() -> dict[str, bool]:
    return {s.path: s.active for s in db.session.scalars(select(Subject))}


def _tree():
    city = services.add_subject(None, "城乡建设", None)
    look = services.add_subject(None, "市容环境", city)
    road = services.add_subject(None, "道路建设", city)
    eco = services.add_subject(None, "生态环境", None)
    return city, look, road, eco


def test_add_rename_move_and_reorder():
    city, look, road, eco = _tree()
    assert [c.name for c in city.children] == ["市容环境", "道路建设"]
    changes = services.update_subject(None, road, name="道路桥梁", parent=eco, display_order=5)
    assert changes == ["名称“道路建设”改为“道路桥梁”", "从“城乡建设”移到“生态环境”", "排序 20 改为 5"]
    assert road.path == "生态环境 › 道路桥梁"


@pytest.mark.parametrize("name, parent_index, message", [
    ("市容环境", 0, "“城乡建设”下已有名为“市容环境”的分类"),
    ("生态环境", None, "一级分类中已有名为“生态环境”的分类"),
    ("社会/保障", None, "不能包含"),
    ("噪音", 1, "事项分类只有两级"),
])
def test_refused_places_change_nothing(name, parent_index, message):
    subjects = _tree()
    db.session.commit()
    parent = subjects[parent_index] if parent_index is not None else None
    before = _paths()
    with pytest.raises(RuleViolation, match=message):
        services.add_subject(None, name, parent)
    db.session.rollback()
    assert _paths() == before


def test_a_first_level_subject_with_children_cannot_move_under_another():
    city, _look, _road, eco = _tree()
    with pytest.raises(RuleViolation, match="下有二级分类"):
        services.update_subject(None, city, name="城乡建设", parent=eco, display_order=0)


def test_retired_subject_stays_on_orders_and_statistics_but_is_not_offered():
    from datetime import date, datetime

    from portal.stats import queries as stats
    from portal.stats.period import Period
    from tests.factories import UnitFactory
    from tests.stats.factories import OrderFactory as FactOrderFactory

    city, look, road, _eco = _tree()
    unit = UnitFactory()
    order = FactOrderFactory(subject=look, last_unit=unit, accepted_at=datetime(2026, 11, 2, 9),
                             dispatched_at=datetime(2026, 11, 2, 10), handle_deadline=datetime(2026, 11, 9, 23, 59, 59))
    retired = services.retire(None, city)
    assert {s.name for s in retired} == {"城乡建设", "市容环境", "道路建设"}
    assert order.subject.path == "城乡建设 › 市容环境"
    assert all(parent.name != "城乡建设" for parent, _children in subject_groups())
    period = Period(date(2026, 11, 1), date(2026, 11, 30), datetime(2026, 11, 30, 23))
    assert ("市容环境", 1) in [tuple(t) for t in stats.hot_topics(period)]
    with pytest.raises(RuleViolation, match="请先启用上级分类"):
        services.reactivate(None, look)
    services.reactivate(None, city)
    services.reactivate(None, look)
    assert [c.name for p, cs in subject_groups() if p.name == "城乡建设" for c in cs] == ["市容环境"]


def _csv(lines: list[str], encoding="utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding)


def test_import_adds_the_tree_from_gbk_csv_and_updates_only_orders():
    services.add_subject(None, "城乡建设", None, 1)
    data = _csv(["一级分类,二级分类,排序", "城乡建设,市容环境,2", "城乡建设,道路建设,", "社会保障,,3",
                 "社会保障,养老保险,1", "城乡建设,,7"], "gbk")
    outcome = import_subjects(data, "subjects.csv")
    assert not outcome.errors
    assert outcome.summary == "导入完成：新增一级分类 1 个、二级分类 3 个，更新排序 1 个，未变化 0 个。"
    assert _paths() == {"城乡建设": True, "城乡建设 › 市容环境": True, "城乡建设 › 道路建设": True,
                        "社会保障": True, "社会保障 › 养老保险": True}
    city = db.session.scalars(select(Subject).where(Subject.name == "城乡建设")).one()
    assert city.display_order == 7


def test_import_is_all_or_nothing_with_every_bad_row_listed(runner, tmp_path):
    path = tmp_path / "subjects.csv"
    path.write_bytes(_csv(["\ufeff一级分类,二级分类,排序", "城乡建设,市容环境,x", ",噪音,", "城乡建设,市容环境,",
                           "生态环境,噪音/扰民,1", "生态环境,噪音扰民,2"]))
    result = runner.invoke(args=["subjects", "import", str(path)])
    assert result.exit_code == 1
    assert "第 2 行：排序“x”应为 0 到 999999999 的整数。" in result.output
    assert "第 3 行：一级分类不能为空。" in result.output
    assert "第 4 行：分类“城乡建设›市容环境”与第 2 行重复。" in result.output
    assert "第 5 行：二级分类“噪音/扰民”" in result.output
    assert db.session.scalar(select(func.count()).select_from(Subject)) == 0


def test_import_cli_xlsx_and_dry_run(runner, tmp_path):
    wb = Workbook()
    for row in (["一级分类", "二级分类"], ["生态环境", "噪音扰民"], ["生态环境", "大气污染"]):
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "subjects.xlsx"
    path.write_bytes(buf.getvalue())
    result = runner.invoke(args=["subjects", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "预检通过（未写入）：将新增一级分类 1 个、二级分类 2 个" in result.output
    assert _paths() == {}
    result = runner.invoke(args=["subjects", "import", str(path)])
    assert result.exit_code == 0 and "导入完成：新增一级分类 1 个、二级分类 2 个" in result.output
    assert set(_paths()) == {"生态环境", "生态环境 › 噪音扰民", "生态环境 › 大气污染"}


# --- the page ------------------------------------------------------------------------------------


def test_admin_adds_edits_and_retires_on_the_page(client, login_as):
    login_as(Role.ADMIN)
    city = services.add_subject(None, "城乡建设", None)
    db.session.commit()
    page = client.get("/settings/subjects/")
    assert page.status_code == 200 and "城乡建设" in page.text
    added = client.post("/settings/subjects/", data={"name": "市容环境", "parent_id": city.id}, headers={"HX-Request": "true"})
    assert added.status_code == 200 and "已新增事项分类“城乡建设 › 市容环境”" in added.text
    clash = client.post("/settings/subjects/", data={"name": "市容环境", "parent_id": city.id}, headers={"HX-Request": "true"})
    assert clash.status_code == 422 and "已有名为“市容环境”的分类" in clash.text
    look = db.session.scalars(select(Subject).where(Subject.name == "市容环境")).one()
    edited = client.post(f"/settings/subjects/{look.id}/edit", data={"name": "市容市貌", "parent_id": city.id,
                                                                     "display_order": 3})
    assert edited.status_code == 303
    db.session.refresh(look)
    assert (look.name, look.display_order) == ("市容市貌", 3)
    bad_parent = client.post(f"/settings/subjects/{look.id}/edit", data={"name": "市容市貌", "parent_id": 999999})
    assert bad_parent.status_code == 422 and "请选择列表中的上级分类" in bad_parent.text
    retired = client.post(f"/settings/subjects/{city.id}/retire", headers={"HX-Request": "true"})
    assert retired.status_code == 200 and "已停用：城乡建设、市容市貌" in retired.text
    assert _paths() == {"城乡建设": False, "城乡建设 › 市容市貌": False}


@pytest.mark.parametrize("role", [Role.CENTRE_STAFF, Role.OPERATOR, Role.LIAISON])
def test_other_roles_cannot_change_subjects(client, login_as, role):
    city = services.add_subject(None, "城乡建设", None)
    db.session.commit()
    login_as(role)
    assert client.post(f"/settings/subjects/{city.id}/retire").status_code == 403
    assert client.post("/settings/subjects/", data={"name": "新分类", "parent_id": 0}).status_code == 403
    assert _paths() == {"城乡建设": True}
