"""KB 类目 list: the centre's page, the entry form's choices, the import's unknown 类目, retire and rename."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge import categories, services
from portal.knowledge.imports import COLUMNS
from portal.knowledge.models import KBCategory, KBEntry, KBEntryVersion
from tests.knowledge.factories import data


def _listed() -> dict[str, bool]:
    return {c.name: c.active for c in categories.all_categories()}


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for category, title in rows:
        ws.append([category, title, "答复", "", "", "常见问题", "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(client, rows, create=False):
    form = {"file": (io.BytesIO(_xlsx(rows)), "entries.xlsx")}
    if create:
        form["create_categories"] = "y"
    return client.post("/knowledge/import", data=form, content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_add_rename_reorder_retire_and_reactivate_on_the_centre_page(client, login_as):
    login_as(Role.CENTRE_STAFF)
    assert client.post("/knowledge/categories", data={"name": "供水服务"}).status_code == 200
    assert client.post("/knowledge/categories", data={"name": "社会救助", "display_order": "5"}).status_code == 200
    assert [c.name for c in categories.all_categories()] == ["社会救助", "供水服务"]
    water = db.session.scalar(select(KBCategory).where(KBCategory.name == "供水服务"))
    clash = client.post("/knowledge/categories", data={"name": "供水服务"})
    assert clash.status_code == 422 and "已有名为“供水服务”的类目" in clash.get_data(as_text=True)
    assert _count(KBCategory) == 2
    assert 'data-category="供水服务"' in client.get("/knowledge/categories").get_data(as_text=True)
    assert 'value="供水服务"' in client.get(f"/knowledge/categories/{water.id}/edit").get_data(as_text=True)
    assert "知识库类目" in client.get("/knowledge/").get_data(as_text=True)
    resp = client.post(f"/knowledge/categories/{water.id}/edit", data={"name": "供水", "display_order": "1"})
    assert resp.status_code == 303
    assert [c.name for c in categories.all_categories()] == ["供水", "社会救助"]
    page = client.post(f"/knowledge/categories/{water.id}/retire").get_data(as_text=True)
    assert "已停用类目“供水”" in page and _listed() == {"供水": False, "社会救助": True}
    assert client.post(f"/knowledge/categories/{water.id}/retire").status_code == 422
    client.post(f"/knowledge/categories/{water.id}/reactivate")
    assert _listed() == {"供水": True, "社会救助": True}


def test_empty_or_long_names_are_refused_with_a_message(client, login_as):
    login_as(Role.ADMIN)
    for name, message in (("", "请填写类目名称。"), ("类" * 51, "类目名称不超过 50 个字。")):
        resp = client.post("/knowledge/categories", data={"name": name})
        assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert _count(KBCategory) == 0


def test_a_unit_user_cannot_change_the_list(client, login_as):
    categories.add_category(None, "供水服务")
    db.session.commit()
    login_as(Role.LIAISON)
    assert client.post("/knowledge/categories", data={"name": "新类目"}).status_code == 403
    assert _listed() == {"供水服务": True}


def test_rename_follows_on_every_version_and_retired_stays_on_old_entries(login_as):
    user = login_as(Role.LIAISON)
    water = categories.add_category(None, "供水服务")
    entry = services.create_entry(user, user.unit_id, data("停水怎么办", category="供水服务"))
    categories.update_category(None, water, name="供水", display_order=water.display_order)
    assert entry.current_version.category == "供水"
    categories.set_active(None, water, False)
    # The entry keeps its retired 类目 when edited; a new entry may not take it.
    services.update_entry(user, entry, data("停水怎么办", category="供水"))
    assert entry.current_version.category == "供水"
    with pytest.raises(RuleViolation, match="不在可选的类目中"):
        services.create_entry(user, user.unit_id, data("另一个问题", category="供水"))
    with pytest.raises(RuleViolation, match="不在可选的类目中"):
        services.create_entry(user, user.unit_id, data("第三个问题", category="随便写的"))


def test_the_entry_form_offers_active_categories_and_refuses_others(client, login_as):
    user = login_as(Role.LIAISON)
    categories.add_category(None, "供水服务")
    old = categories.add_category(None, "旧类目")
    categories.set_active(None, old, False)
    db.session.commit()
    page = client.get("/knowledge/new").get_data(as_text=True)
    assert '<option value="供水服务">' in page and "旧类目" not in page
    refused = client.post("/knowledge/new", data={"title": "问题", "answer": "答复", "category": "旧类目",
                                                  "material_kind": "常见问题"})
    assert refused.status_code == 422 and "请从列表中选择类目" in refused.get_data(as_text=True)
    assert _count(KBEntry) == 0
    ok = client.post("/knowledge/new", data={"title": "问题", "answer": "答复", "category": "供水服务",
                                             "material_kind": "常见问题"})
    assert ok.status_code == 303
    entry = db.session.scalars(select(KBEntry)).one()
    assert entry.unit_id == user.unit_id and entry.current_version.category == "供水服务"


def test_import_lists_each_unknown_category_once_with_its_rows_and_writes_nothing(client, login_as):
    login_as(Role.LIAISON)
    categories.add_category(None, "供水服务")
    old = categories.add_category(None, "旧类目")
    categories.set_active(None, old, False)
    db.session.commit()
    resp = _upload(client, [("供水服务", "问题一"), ("燃气", "问题二"), ("燃气", "问题三"), ("供暖", "问题四"),
                            ("旧类目", "问题五")])
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert body.count("类目“燃气”不在类目列表中") == 1 and "第 3、4 行使用了它" in body
    assert "类目“供暖”不在类目列表中，第 5 行使用了它" in body
    assert "以上 2 个类目" in body and "新建文件中不存在的类目" in body
    assert "第 6 行：类目“旧类目”已停用" in body
    assert _count(KBEntry) == 0 and _listed() == {"供水服务": True, "旧类目": False}


def test_import_creates_unknown_categories_when_asked_and_says_how_many(client, login_as):
    login_as(Role.LIAISON)
    categories.add_category(None, "供水服务")
    db.session.commit()
    resp = _upload(client, [("供水服务", "问题一"), ("燃气", "问题二"), ("燃气", "问题三"), ("供暖", "问题四")],
                   create=True)
    assert resp.status_code == 303
    assert "新建类目 2 个：燃气、供暖" in client.get("/knowledge/").get_data(as_text=True)
    assert _listed() == {"供水服务": True, "燃气": True, "供暖": True}
    used = dict(db.session.execute(select(KBEntryVersion.title, KBEntryVersion.category)).all())
    assert used == {"问题一": "供水服务", "问题二": "燃气", "问题三": "燃气", "问题四": "供暖"}


def test_import_with_create_still_writes_nothing_when_another_row_is_bad(client, login_as):
    login_as(Role.LIAISON)
    resp = _upload(client, [("燃气", "问题一"), ("燃气", "")], create=True)
    assert resp.status_code == 422 and "第 3 行：请填写标题" in resp.get_data(as_text=True)
    assert _count(KBEntry) == 0 and _count(KBCategory) == 0
