"""报送任务 pages: the centre's campaigns and compliance matrix; each unit's open campaigns."""
from __future__ import annotations

from io import BytesIO

from flask import flash, render_template, request, send_file, url_for
from flask_login import current_user
from portal.auth.roles import CENTRE_ROLES, UNIT_ROLES
from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge import campaigns as campaign_services
from portal.knowledge import export, queries
from portal.knowledge.forms import CampaignForm, ExtensionForm, MatrixFilterForm
from portal.knowledge.models import Campaign, CampaignUnit, TargetMode
from portal.knowledge.blueprint import bp
from portal.web.access import roles
from portal.web.errors import abort_zh
from portal.web.htmx import redirect_after_post, render_page_or_fragment


def _matrix(form: MatrixFilterForm) -> queries.Matrix:
    ids = [form.campaign.data] if form.campaign.data else None
    return queries.compliance_matrix(now(), ids, form.group_value, form.status_value)


@bp.get("/campaigns")
@roles(*CENTRE_ROLES, *UNIT_ROLES)
def campaigns():
    at = now()
    if current_user.is_unit_user:
        items = queries.unit_campaigns(current_user.unit_id, at) if current_user.unit_id else []
        return render_template("knowledge/unit_campaigns.html", items=items, at=at)
    form = MatrixFilterForm(request.args)
    all_campaigns = queries.all_campaigns()
    return render_page_or_fragment("knowledge/campaigns.html", "knowledge/_matrix.html",
                                   form=form, matrix=_matrix(form), all_campaigns=all_campaigns, at=at)


@bp.get("/campaigns/export.xlsx")
@roles(*CENTRE_ROLES)
def campaigns_export():
    matrix = _matrix(MatrixFilterForm(request.args))
    return send_file(BytesIO(export.matrix_xlsx(matrix)), as_attachment=True,
                     download_name=f"知识库报送情况-{matrix.as_of:%Y%m%d}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/campaigns/new", methods=["GET", "POST"])
@roles(*CENTRE_ROLES)
def campaign_new():
    form = CampaignForm(units=queries.all_units(active_only=True))
    if form.validate_on_submit():
        try:
            campaign = campaign_services.create_campaign(
                current_user, title=form.title.data, requirement=form.requirement.data or "",
                deadline=form.deadline, mode=TargetMode(form.target_mode.data), groups=form.groups.data or [],
                unit_ids=form.units.data or [], min_entries=form.min_entries.data)
        except RuleViolation as exc:
            form.deadline_date.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"报送任务已发布，共 {len(campaign.targets)} 个单位。", "success")
            return redirect_after_post(url_for("knowledge.campaign_detail", campaign_id=campaign.id))
    status = 422 if form.is_submitted() else 200
    return render_template("knowledge/campaign_form.html", form=form), status


def _campaign_or_404(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort_zh(404, "报送任务不存在。")
    return campaign


@bp.get("/campaigns/<int:campaign_id>")
@roles(*CENTRE_ROLES)
def campaign_detail(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    at = now()
    found = queries.statuses([campaign], at)
    rows = sorted(((t.unit, found[(campaign.id, t.unit_id)]) for t in campaign.targets),
                  key=lambda r: (r[0].display_order, r[0].id))
    return render_template("knowledge/campaign_detail.html", campaign=campaign, rows=rows, at=at,
                           ext_form=ExtensionForm())


@bp.post("/campaigns/<int:campaign_id>/units/<int:unit_id>/extend")
@roles(*CENTRE_ROLES)
def campaign_extend(campaign_id: int, unit_id: int):
    campaign = _campaign_or_404(campaign_id)
    if db.session.get(CampaignUnit, (campaign.id, unit_id)) is None:
        abort_zh(404, "该单位不在此报送任务范围内。")
    form = ExtensionForm()
    if not form.validate_on_submit():
        messages = [e for f in (form.extended_date, form.extended_time) for e in f.errors]
        abort_zh(422, "；".join(messages) or "请检查补报截止时间。")
    campaign_services.grant_extension(current_user, campaign, unit_id, form.extended)
    db.session.commit()
    flash("已取消补报截止。" if form.extended is None else f"已设置补报截止：{form.extended:%Y-%m-%d %H:%M:%S}。", "success")
    return redirect_after_post(url_for("knowledge.campaign_detail", campaign_id=campaign.id))
