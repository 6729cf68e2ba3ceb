"""通报 pages: the centre drafts, edits, previews, issues and downloads; units read what is addressed to them."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal.auth.roles import Role
from portal.circulars import document, fonts, outputs, queries, services
from portal.circulars.drafting import SECTION_KEYS
from portal.circulars.forms import CaseForm, DraftForm, EditForm, IssueForm, RefreshForm, parse_version
from portal.circulars.models import Circular
from portal.extensions import db
from portal.units.models import Unit
from portal.web.access import roles
from portal.web.htmx import redirect_after_post, render_page_or_fragment, wants_fragment
from portal.web.inputs import arg_page
from portal.units.queries import first_level

bp = Blueprint("circulars", __name__, url_prefix="/circulars")

CENTRE = (Role.ADMIN, Role.CENTRE_STAFF)
READERS = (Role.ADMIN, Role.CENTRE_STAFF, Role.UNIT_LEADER, Role.LIAISON)
UNIT = (Role.UNIT_LEADER, Role.LIAISON)


@bp.get("/")
@roles(*READERS)
def index():
    pagination = queries.list_for(current_user, page=arg_page())
    return render_page_or_fragment("circulars/index.html", "circulars/_list.html", pagination=pagination)


@bp.route("/new", methods=["GET", "POST"])
@roles(*CENTRE)
def new():
    form = DraftForm()
    if request.method == "GET":
        form.fill_defaults()
        return render_template("circulars/new.html", form=form)
    if not form.validate_on_submit():
        return render_page_or_fragment("circulars/new.html", "circulars/_new_form.html", form=form), 422
    circular = services.draft(form.period_start.data, form.period_end.data, form.as_of.data, current_user)
    db.session.commit()
    return redirect_after_post(url_for("circulars.show", circular_id=circular.id))


def _unit_choices():
    units = db.session.execute(first_level(select(Unit.id, Unit.short_name)).where(Unit.active.is_(True))
                               .order_by(Unit.display_order, Unit.id)).all()
    return [SelectChoice(u.id, u.short_name) for u in units]


def _edit_form(circular: Circular, formdata=None) -> EditForm:
    form = EditForm(formdata=formdata, obj=None if formdata else circular)
    form.units.choices = _unit_choices()
    if formdata is None:
        form.version.data = circular.version
        for key in SECTION_KEYS:
            getattr(form, key).data = (circular.texts or {}).get(key, "")
        form.units.data = [r.unit_id for r in circular.recipients]
    return form


def _workspace(circular: Circular, form: EditForm | None = None, status: int = 200, doc=None):
    form = form or _edit_form(circular)
    ctx = {
        "circular": circular, "form": form, "doc": doc or document.from_circular(circular),
        "refresh_form": RefreshForm(formdata=None), "edited": _edited(circular),
        "candidates": queries.case_candidates(circular), "q": "", "font_report": fonts.report(),
    }
    if wants_fragment():
        return render_template("circulars/_workspace.html", **ctx), status
    return render_template("circulars/edit.html", **ctx), status


def _font_report(circular: Circular) -> list[dict]:
    """The faces of the stored PDF of an issued circular; the faces a PDF would use now otherwise."""
    kept = outputs.stored(circular, "pdf")
    return kept.fonts if kept is not None and kept.fonts else fonts.report()


def _edited(circular: Circular) -> set[str]:
    texts, drafted = circular.texts or {}, circular.drafted or {}
    return {k for k in SECTION_KEYS if texts.get(k) != drafted.get(k)}


@bp.get("/<int:circular_id>")
@roles(*READERS)
def show(circular_id: int):
    circular = queries.get_for(current_user, circular_id)
    if current_user.is_unit_user or circular.is_issued:
        return render_template(
            "circulars/show.html", circular=circular, doc=document.from_circular(circular),
            receipts=None if current_user.is_unit_user else queries.receipts(circular),
            font_report=_font_report(circular),
            stored={fmt: outputs.stored(circular, fmt) for fmt in outputs.FORMATS},
        )
    return _workspace(circular)


@bp.post("/<int:circular_id>/read")
@roles(*UNIT)
def mark_read(circular_id: int):
    """Record the unit user's read receipt (the page posts this when it has loaded)."""
    circular = queries.get_for(current_user, circular_id)
    read = services.record_read(circular, current_user)
    db.session.commit()
    return render_template("circulars/_read_mark.html", read=read)


def _form_doc(circular: Circular, form: EditForm):
    snapshot = dict(circular.snapshot)
    texts = form.case_texts(request.form, [c["order_id"] for c in snapshot.get("cases", [])])
    snapshot["cases"] = [{**c, "text": texts.get(c["order_id"], c["text"])} for c in snapshot.get("cases", [])]
    return document.build(
        snapshot, title=form.title.data or "", doc_number=form.doc_number.data or "",
        issuer=form.issuer.data or "", addressee_line=form.addressee_line.data or "",
        texts={k: getattr(form, k).data or "" for k in SECTION_KEYS}, issue_date=form.issue_date.data,
        cc=form.cc.data or "",
    )


@bp.post("/<int:circular_id>/preview")
@roles(*CENTRE)
def preview(circular_id: int):
    """Live preview of the unsaved form (nothing is stored)."""
    circular = queries.get_draft_or_404(circular_id)
    form = _edit_form(circular, request.form)
    form.validate()
    return render_template("circulars/_preview.html", doc=_form_doc(circular, form))


@bp.post("/<int:circular_id>/edit")
@roles(*CENTRE)
def update(circular_id: int):
    circular = queries.get_draft_or_404(circular_id)
    services.ensure_draft(circular)
    form = _edit_form(circular, request.form)
    if not form.validate_on_submit():
        return _workspace(circular, form, 422, doc=_form_doc(circular, form))
    services.update(
        circular, current_user,
        fields={name: getattr(form, name).data or ("" if name not in ("issue_date", "new_deadline") else None)
                for name in services.FIELDS},
        texts={k: getattr(form, k).data or "" for k in SECTION_KEYS},
        case_texts=form.case_texts(request.form, [c["order_id"] for c in circular.snapshot.get("cases", [])]),
        unit_ids=form.units.data, version=parse_version(form.version.data),
    )
    db.session.commit()
    if not wants_fragment():
        return redirect_after_post(url_for("circulars.show", circular_id=circular.id))
    return _workspace(circular)


@bp.post("/<int:circular_id>/redraft/<key>")
@roles(*CENTRE)
def redraft(circular_id: int, key: str):
    circular = queries.get_draft_or_404(circular_id)
    services.redraft_section(circular, current_user, key)
    db.session.commit()
    return _after_change(circular)


@bp.post("/<int:circular_id>/refresh")
@roles(*CENTRE)
def refresh(circular_id: int):
    circular = queries.get_draft_or_404(circular_id)
    form = RefreshForm()
    if not form.validate():
        return _workspace(circular, status=422)
    services.refresh(circular, current_user, as_of=form.as_of.data, redraft=form.redraft.data,
                     version=parse_version(form.version.data))
    db.session.commit()
    return _after_change(circular)


@bp.get("/<int:circular_id>/cases")
@roles(*CENTRE)
def cases(circular_id: int):
    circular = queries.get_draft_or_404(circular_id)
    q = request.args.get("q", "")[:50]
    return render_template("circulars/_cases.html", circular=circular, q=q,
                           candidates=queries.case_candidates(circular, q))


@bp.post("/<int:circular_id>/cases")
@roles(*CENTRE)
def add_case(circular_id: int):
    circular = queries.get_draft_or_404(circular_id)
    form = CaseForm()
    if not form.validate():
        services.ensure_draft(circular)
        return _workspace(circular, status=422)
    services.add_case(circular, current_user, form.order_id.data)
    db.session.commit()
    return _after_change(circular)


@bp.post("/<int:circular_id>/cases/<int:order_id>/remove")
@roles(*CENTRE)
def remove_case(circular_id: int, order_id: int):
    circular = queries.get_draft_or_404(circular_id)
    services.remove_case(circular, current_user, order_id)
    db.session.commit()
    return _after_change(circular)


@bp.post("/<int:circular_id>/cases/<int:order_id>/dismiss")
@roles(*CENTRE)
def dismiss_case(circular_id: int, order_id: int):
    """Remove a proposed typical case (it is not proposed again)."""
    circular = queries.get_draft_or_404(circular_id)
    services.dismiss_case(circular, current_user, order_id)
    db.session.commit()
    return _after_change(circular)


@bp.post("/<int:circular_id>/issue")
@roles(*CENTRE)
def issue(circular_id: int):
    circular = queries.get_draft_or_404(circular_id)
    form = IssueForm()  # the version the editor was rendered with; CSRF is checked for every POST
    services.ensure_draft(circular)
    empty = document.empty_sections(circular.snapshot, circular.texts or {})
    if empty and form.confirm_empty.data != "1":
        # A section left empty is left out (the others are renumbered): 印发 asks once more.
        ctx = {"circular": circular, "empty": empty}
        if wants_fragment():
            return render_template("circulars/_issue_confirm.html", **ctx)
        return render_template("circulars/issue_confirm.html", **ctx)
    services.issue(circular, current_user, version=parse_version(form.version.data))
    db.session.commit()
    return redirect_after_post(url_for("circulars.show", circular_id=circular.id))


@bp.post("/<int:circular_id>/delete")
@roles(*CENTRE)
def delete(circular_id: int):
    circular = queries.get_draft_or_404(circular_id)
    services.delete_draft(circular, current_user)
    db.session.commit()
    return redirect_after_post(url_for("circulars.index"))


def _after_change(circular: Circular):
    if wants_fragment():
        return _workspace(circular)
    return redirect_after_post(url_for("circulars.show", circular_id=circular.id))


def _download(circular: Circular, fmt: str) -> Response:
    body = outputs.content(circular, fmt)
    resp = Response(body, mimetype=outputs.MIMETYPES[fmt])
    resp.headers["Content-Disposition"] = _attachment(outputs.filename(circular, fmt))
    return resp


def _attachment(name: str) -> str:
    from urllib.parse import quote

    ascii_name = name.encode("ascii", "ignore").decode() or "circular"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@bp.get("/<int:circular_id>/pdf")
@roles(*READERS)
def pdf(circular_id: int):
    return _download(queries.get_for(current_user, circular_id), "pdf")


@bp.get("/<int:circular_id>/docx")
@roles(*CENTRE)
def docx(circular_id: int):
    return _download(queries.get_draft_or_404(circular_id), "docx")


@bp.get("/<int:circular_id>/xlsx")
@roles(*CENTRE)
def xlsx(circular_id: int):
    return _download(queries.get_draft_or_404(circular_id), "xlsx")
