"""The centre drafts, edits, previews, issues and downloads; a unit sees only what is addressed to it."""
from __future__ import annotations

from portal.auth.roles import Role
from portal.circulars import services
from portal.circulars.models import Circular, CircularRead, CircularStatus
from portal.clock import now
from portal.extensions import db
from portal.stats.period import Period
from tests.circulars.helpers import AS_OF, AUG, august, august_draft
from tests.factories import UnitFactory

HX = {"HX-Request": "true"}


def _edit_data(c: Circular, **over) -> dict:
    data = {"version": c.version, "title": c.title, "doc_number": "", "addressee_line": c.addressee_line,
            "intro": c.texts["intro"], "s1": c.texts["s1"], "s3": c.texts["s3"], "s4": c.texts["s4"],
            "new_deadline": "", "issuer": c.issuer, "issue_date": "2018-09-29", "cc": c.cc,
            "units": [str(r.unit_id) for r in c.recipients]}
    data.update(over)
    return data


def test_new_form_defaults_to_last_month_and_creates_a_draft(client, login_as):
    august()
    login_as(Role.CENTRE_STAFF)
    last = Period.last_month(now())
    page = client.get("/circulars/new").get_data(as_text=True)
    assert f'value="{last.start:%Y-%m-%d}"' in page and f'value="{last.end:%Y-%m-%d}"' in page
    resp = client.post("/circulars/new", data={"period_start": "2018-08-01", "period_end": "2018-08-31",
                                               "as_of": "2018-09-29T09:00"}, headers=HX)
    c = db.session.scalars(db.select(Circular)).one()
    assert resp.headers["HX-Redirect"] == f"/circulars/{c.id}"
    page = client.get(f"/circulars/{c.id}").get_data(as_text=True)
    assert "共接听群众来电4件" in page and "编辑通报草稿" in page


def test_bad_period_is_refused_in_chinese_and_keeps_the_input(client, login_as):
    login_as(Role.ADMIN)
    resp = client.post("/circulars/new", data={"period_start": "2018-08-31", "period_end": "2018-08-01",
                                               "as_of": "2018-09-29T09:00"}, headers=HX)
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert "结束日期不能早于开始日期。" in body and 'value="2018-08-31"' in body
    assert db.session.scalars(db.select(Circular)).first() is None


def test_edit_preview_and_save(client, login_as):
    world = august()
    c = august_draft(world)
    login_as(Role.CENTRE_STAFF)
    preview = client.post(f"/circulars/{c.id}/preview", data=_edit_data(c, s3="1.预览中的问题。"), headers=HX)
    assert "1.预览中的问题。" in preview.get_data(as_text=True)
    db.session.refresh(c)
    assert c.texts["s3"] != "1.预览中的问题。"  # a preview stores nothing
    resp = client.post(f"/circulars/{c.id}/edit", headers=HX,
                       data=_edit_data(c, s3="1.人工改写。", doc_number="安政服发〔2018〕12号", new_deadline="2018-10-12"))
    assert resp.status_code == 200
    db.session.refresh(c)
    assert c.texts["s3"] == "1.人工改写。" and c.doc_number == "安政服发〔2018〕12号"
    assert "在10月12日前完成报送工作" in c.texts["s4"]
    assert "已手工修改" in resp.get_data(as_text=True)


def test_edit_with_errors_answers_422_and_keeps_the_text(client, login_as):
    world = august()
    c = august_draft(world)
    login_as(Role.CENTRE_STAFF)
    resp = client.post(f"/circulars/{c.id}/edit", data=_edit_data(c, title="", s3="我写的字", units=[]), headers=HX)
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert "请填写标题。" in body and "请至少选择一个主送单位。" in body and "我写的字" in body


def test_stale_edit_is_a_conflict(client, login_as):
    world = august()
    c = august_draft(world)
    login_as(Role.CENTRE_STAFF)
    resp = client.post(f"/circulars/{c.id}/edit", data=_edit_data(c, version=c.version - 1), headers=HX)
    assert resp.status_code == 409


def test_pick_a_case_refresh_issue_and_downloads(client, login_as):
    world = august()
    c = august_draft(world)
    login_as(Role.CENTRE_STAFF)
    cases = client.get(f"/circulars/{c.id}/cases", headers=HX).get_data(as_text=True)
    items = cases.split('data-testid="candidate"')[1:]
    assert len(items) == 3 and "表扬·推荐" in items[0] and "2018080801" in items[0]  # praise first, marked
    assert client.post(f"/circulars/{c.id}/cases", data={"order_id": world.praise.id}, headers=HX).status_code == 200
    assert client.post(f"/circulars/{c.id}/refresh", data={"version": c.version}, headers=HX).status_code == 200
    for fmt, mime in (("pdf", "application/pdf"), ("docx", "wordprocessingml"), ("xlsx", "spreadsheetml")):
        resp = client.get(f"/circulars/{c.id}/{fmt}")
        assert resp.status_code == 200 and mime in resp.mimetype
        assert "attachment;" in resp.headers["Content-Disposition"]
    db.session.refresh(c)
    resp = client.post(f"/circulars/{c.id}/issue", data={"version": c.version}, headers=HX)
    assert resp.headers["HX-Redirect"] == f"/circulars/{c.id}"
    db.session.refresh(c)
    assert c.status == CircularStatus.ISSUED
    again = client.post(f"/circulars/{c.id}/edit", data=_edit_data(c), headers=HX)
    assert again.status_code == 422 and "已印发" in again.get_data(as_text=True)
    page = client.get(f"/circulars/{c.id}").get_data(as_text=True)
    assert "签阅情况（0 / 2 个单位已阅）" in page


def test_unit_sees_only_issued_circulars_addressed_to_it(client, login_as):
    world = august()
    mine = august_draft(world)
    services.issue(mine, world.staff)
    other = services.draft(*AUG, AS_OF, world.staff)
    services.set_recipients(other, [world.b.id])
    services.issue(other, world.staff)
    draft = services.draft(*AUG, AS_OF, world.staff)
    db.session.commit()
    user = login_as(Role.LIAISON, unit=world.a)
    listing = client.get("/circulars/").get_data(as_text=True)
    assert f"/circulars/{mine.id}\"" in listing
    assert f"/circulars/{other.id}\"" not in listing and f"/circulars/{draft.id}\"" not in listing
    assert client.get(f"/circulars/{mine.id}").status_code == 200
    assert client.get(f"/circulars/{mine.id}/pdf").status_code == 200
    for cid in (other.id, draft.id):
        assert client.get(f"/circulars/{cid}").status_code == 404
        assert client.get(f"/circulars/{cid}/pdf").status_code == 404
        assert client.post(f"/circulars/{cid}/read", headers=HX).status_code == 404
    assert client.get(f"/circulars/{mine.id}/docx").status_code == 403
    assert user.unit_id == world.a.id


def test_read_receipts(client, login_as):
    world = august()
    c = august_draft(world)
    services.issue(c, world.staff)
    db.session.commit()
    cid = c.id
    leader = login_as(Role.UNIT_LEADER, unit=world.a, name="恒口负责人")
    page = client.get(f"/circulars/{cid}").get_data(as_text=True)
    assert f'hx-post="/circulars/{cid}/read"' in page
    assert db.session.scalars(db.select(CircularRead)).all() == []  # opening the page itself writes nothing
    assert "签阅" in client.post(f"/circulars/{cid}/read", headers=HX).get_data(as_text=True)
    client.post(f"/circulars/{cid}/read", headers=HX)
    reads = db.session.scalars(db.select(CircularRead)).all()
    assert [(r.unit_id, r.user_id) for r in reads] == [(world.a.id, leader.id)]
    login_as(Role.CENTRE_STAFF)
    page = client.get(f"/circulars/{cid}").get_data(as_text=True)
    row = page[page.index('data-unit="恒口示范区"'):]
    row = row[:row.index("</tr>")]
    assert "恒口负责人" in row and "未读" not in row
    assert "签阅情况（1 / 2 个单位已阅）" in page


def test_unit_of_another_circular_cannot_mark_it_read(client, login_as):
    world = august()
    c = august_draft(world)
    services.issue(c, world.staff)
    db.session.commit()
    login_as(Role.LIAISON, unit=UnitFactory())  # created after the draft: not addressed
    assert client.post(f"/circulars/{c.id}/read", headers=HX).status_code == 404


def test_the_page_says_which_pdf_fonts_are_official_and_which_are_stand_ins(client, login_as, app, tmp_path,
                                                                            monkeypatch):
    world = august()
    c = august_draft(world)
    login_as(Role.CENTRE_STAFF)
    page = client.get(f"/circulars/{c.id}").get_data(as_text=True)
    assert "正文：仿宋_GB2312 未安装，使用替代字体 AR PL UMing" in page
    assert "一级标题（一、）、表头：黑体 未安装，使用替代字体 文泉驿正黑" in page
    folder = tmp_path / "fonts"
    folder.mkdir()
    (folder / "simhei.ttf").symlink_to("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
    monkeypatch.setitem(app.config, "CIRCULAR_FONTS_DIR", str(folder))
    page = client.get(f"/circulars/{c.id}").get_data(as_text=True)
    assert "一级标题（一、）、表头：黑体（已安装：WenQuanYi Zen Hei）" in page
    assert "正文：仿宋_GB2312 未安装" in page
