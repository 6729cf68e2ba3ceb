"""The orders upload page for admins (same rules as `flask orders import`)."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from portal.auth.roles import Role
from portal.imports.runner import upload_import
from portal.order_import.forms import OrderImportForm
from portal.order_import.importing import import_orders
from portal.order_import.rows import OPTIONAL, REQUIRED
from portal.web.access import roles
from portal.web.htmx import render_page_or_fragment

bp = Blueprint("order_import", __name__, url_prefix="/orders/import")


@bp.route("/", methods=["GET", "POST"])
@roles(Role.ADMIN)
def upload():
    form = OrderImportForm()
    context = {"form": form, "required": REQUIRED, "optional": OPTIONAL, "outcome": None, "failure": None}
    status = 200
    if form.validate_on_submit():
        upload_file = form.file.data
        context["outcome"], context["failure"], status = upload_import(
            lambda: import_orders(upload_file.read(), upload_file.filename or "", current_user,
                                  dry_run=form.dry_run.data, create_subjects=form.create_subjects.data),
            dry_run=form.dry_run.data,
        )
    elif form.is_submitted():
        status = 422
    return render_page_or_fragment("order_import/page.html", "order_import/_form.html", **context), status
