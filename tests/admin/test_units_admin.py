"""Admin units pages: list with search, filters and paging; create, edit, (de)activate; validation."""
from __future__ import annotations

from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.units.models import RosterEvent, Unit
from tests.factories import UnitFactory, UserFactory

HX = {"HX-Request": "true"}


def _form(**overrides):
    data = {"full_name": "安康市测试管理局", "short_name": "市测试局", "aliases": "测试局、测局",
            "group": "市直部门", "display_order": "50", "lead_name": "王五", "lead_mobile": "13912345678",
            "active": "y"}
    data.update(overrides)
    return data


def test_list_is_a_full_page_or_an_htmx_fragment_and_varies_on_hx_request(client, login_as):
    login_as(Role.ADMIN)
    UnitFactory(full_name="安康市汉滨区人民政府", short_name="汉滨区政府")
    page = client.get("/admin/units")
    assert page.status_code == 200
    assert "<html" in page.text and 'id="unit-filters"' in page.text and "安康市汉滨区人民政府" in page.text
    frag = client.get("/admin/units?q=汉滨", headers=HX)
    assert frag.status_code == 200
    assert "<html" not in frag.text and 'data-testid="unit-table"' in frag.text and "汉滨区政府" in frag.text
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in frag.headers["Vary"]


def test_search_matches_full_name_short_name_and_alias(client, login_as):
    login_as(Role.ADMIN)
    UnitFactory(full_name="安康市恒口示范区管理委员会", short_name="恒口示范区", aliases=["恒口示范区市民服务中心"])
    UnitFactory(full_name="安康市公安局", short_name="市公安局")
    for q in ("管理委员会", "恒口示范", "市民服务中心"):
        text = client.get(f"/admin/units?q={q}", headers=HX).text
        assert "安康市恒口示范区管理委员会" in text and "安康市公安局" not in text, q
    assert "没有符合条件的单位" in client.get("/admin/units?q=不存在的单位", headers=HX).text


def test_group_active_and_no_liaison_filters(client, login_as):
    login_as(Role.ADMIN)
    county = UnitFactory(full_name="县甲人民政府", short_name="县甲", group="区县政府")
    bureau = UnitFactory(full_name="市乙局全称", short_name="市乙局", group="市直部门")
    stopped = UnitFactory(full_name="停用单位全称", short_name="停用单位", group="其他", active=False)
    UserFactory(role=Role.LIAISON, unit=bureau)
    UserFactory(role=Role.LIAISON, unit=county, active=False)  # an inactive liaison does not count
    text = client.get("/admin/units?group=区县政府", headers=HX).text
    assert county.full_name in text and bureau.full_name not in text
    text = client.get("/admin/units?active=0", headers=HX).text
    assert stopped.full_name in text and county.full_name not in text
    text = client.get("/admin/units?no_liaison=y&active=1", headers=HX).text
    assert county.full_name in text and bureau.full_name not in text
    assert "无在岗联络员" in text


def test_paging_uses_page_size_and_keeps_filters(client, login_as, app):
    login_as(Role.ADMIN)
    size = app.config["PAGE_SIZE"]
    for n in range(size + 3):
        UnitFactory(full_name=f"分页单位{n:02d}全称", short_name=f"分页单位{n:02d}", display_order=n, group="其他")
    first = client.get("/admin/units?group=其他", headers=HX).text
    assert "分页单位00全称" in first and f"分页单位{size:02d}全称" not in first
    assert f"共 {size + 3} 条" in first
    assert "group=%E5%85%B6%E4%BB%96" in first and "page=2" in first  # pager links keep the filter
    second = client.get("/admin/units?group=其他&page=2", headers=HX).text
    assert f"分页单位{size:02d}全称" in second and "分页单位00全称" not in second
    beyond = client.get("/admin/units?page=99", headers=HX)
    assert beyond.status_code == 200


def test_create_unit_with_aliases_split_on_every_separator(client, login_as):
    admin = login_as(Role.ADMIN)
    resp = client.post("/admin/units/new", data=_form(aliases="甲、乙,丙，丁;戊 己；庚  甲 市测试局"))
    assert resp.status_code == 303
    unit = db.session.scalars(select(Unit).where(Unit.short_name == "市测试局")).one()
    assert unit.aliases == ["甲", "乙", "丙", "丁", "戊", "己", "庚"]  # own short name dropped, duplicates too
    assert (unit.group, unit.display_order, unit.lead_mobile, unit.active) == ("市直部门", 50, "13912345678", True)
    event = db.session.scalars(select(RosterEvent)).one()
    assert (event.unit_id, event.actor_id, event.action) == (unit.id, admin.id, "update_lead")


def test_create_unit_validation_messages_keep_what_was_typed(client, login_as):
    login_as(Role.ADMIN)
    UnitFactory(full_name="安康市公安局", short_name="市公安局", aliases=["公安局"])
    resp = client.post("/admin/units/new", headers=HX, data=_form(
        full_name="安康市公安局", short_name="公安局", aliases="新别名、市公安局", display_order="1.5",
        lead_mobile="0915-123", group="不存在"))
    assert resp.status_code == 422
    text = resp.text
    assert "<html" not in text
    assert "单位全称“安康市公安局”已是单位“安康市公安局”的全称" in text
    assert "简称“公安局”已是单位“安康市公安局”的别名" in text
    assert "别名“市公安局”已是单位“安康市公安局”的简称" in text
    assert "排序须为整数" in text
    assert "手机号格式不正确" in text
    assert "请选择分组" in text
    assert 'value="新别名、市公安局"' in text and 'value="0915-123"' in text
    assert db.session.scalars(select(Unit)).all().__len__() == 1


def test_required_fields(client, login_as):
    login_as(Role.ADMIN)
    resp = client.post("/admin/units/new", headers=HX, data={"group": "其他"})
    assert resp.status_code == 422
    assert "请填写单位全称" in resp.text and "请填写简称" in resp.text and "请填写排序" in resp.text


def test_edit_unit_keeps_its_own_names_and_records_lead_change(client, login_as):
    admin = login_as(Role.ADMIN)
    unit = UnitFactory(full_name="安康市文化局", short_name="市文化局", aliases=["文化局"], lead_name="甲",
                       lead_mobile="13900000001")
    form = client.get(f"/admin/units/{unit.id}/edit")
    assert form.status_code == 200 and 'value="文化局"' in form.text
    resp = client.post(f"/admin/units/{unit.id}/edit", headers=HX, data=_form(
        full_name="安康市文化局", short_name="市文化局", aliases="文化局", group="其他", display_order="3",
        lead_name="乙", lead_mobile="13900000002"))
    assert resp.status_code == 200 and resp.headers["HX-Redirect"].startswith("/admin/units")
    db.session.refresh(unit)
    assert (unit.group, unit.display_order, unit.lead_name) == ("其他", 3, "乙")
    event = db.session.scalars(select(RosterEvent)).one()
    assert event.actor_id == admin.id
    assert event.detail == "牵头负责人由 甲（13900000001） 变更为 乙（13900000002）"


def test_edit_unknown_unit_is_404(client, login_as):
    login_as(Role.ADMIN)
    assert client.get("/admin/units/999/edit").status_code == 404


def test_deactivate_and_reactivate_unit(client, login_as):
    login_as(Role.ADMIN)
    unit = UnitFactory()
    liaison = UserFactory(role=Role.LIAISON, unit=unit)
    resp = client.post(f"/admin/units/{unit.id}/deactivate", headers=HX, data={"q": ""})
    assert resp.status_code == 200 and "已停用单位" in resp.text
    db.session.refresh(unit)
    assert unit.active is False and liaison.is_active is False  # the unit's users can no longer log in
    again = client.post(f"/admin/units/{unit.id}/deactivate", headers=HX)
    assert again.status_code == 422 and "已是停用状态" in again.text
    resp = client.post(f"/admin/units/{unit.id}/reactivate", headers=HX)
    assert resp.status_code == 200 and "已启用单位" in resp.text
    db.session.refresh(unit)
    assert unit.active is True
    actions = [e.action for e in db.session.scalars(select(RosterEvent).order_by(RosterEvent.id))]
    assert actions == ["deactivate_unit", "reactivate_unit"]


def test_unit_holding_open_orders_cannot_be_deactivated(client, login_as):
    from tests.units.orders import make_order

    login_as(Role.ADMIN)
    unit = UnitFactory()
    make_order(unit)
    resp = client.post(f"/admin/units/{unit.id}/deactivate", headers=HX)
    assert resp.status_code == 422
    assert "仍有 1 件未办结工单" in resp.text
    db.session.refresh(unit)
    assert unit.active is True
