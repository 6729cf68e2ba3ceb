"""The orders upload page for admins (same rules as `flask orders import`)."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from portal.auth.roles import Role
from portal.extensions import db
from portal.imports.tabular import ImportFailed
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
        try:
            outcome = import_orders(upload_file.read(), upload_file.filename or "", current_user,
                                    dry_run=form.dry_run.data)
        except ImportFailed as exc:
            db.session.rollback()
            context["failure"], status = exc.message, 422
        else:
            context["outcome"] = outcome
            if outcome.errors or outcome.dry_run:
                db.session.rollback()
                status = 422 if outcome.errors else 200
            else:
                db.session.commit()
    elif form.is_submitted():
        status = 422
    return render_page_or_fragment("order_import/page.html", "order_import/_form.html", **context), status
