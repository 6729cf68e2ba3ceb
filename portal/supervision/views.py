"""The 督办单 PDF, for the centre and the unit it was issued to."""
from __future__ import annotations

import io

from flask import Blueprint, send_file
from flask_login import current_user

from portal.auth.roles import Role
from portal.orders.notices import SupervisionNotice
from portal.supervision.pdf import render
from portal.web.access import roles
from portal.web.scoping import get_scoped_or_404

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


@bp.get("/notices/<int:notice_id>.pdf")
@roles(Role.ADMIN, Role.CENTRE_STAFF, Role.UNIT_LEADER, Role.LIAISON)
def notice_pdf(notice_id: int):
    notice = get_scoped_or_404(SupervisionNotice, notice_id, current_user)
    return send_file(io.BytesIO(render(notice)), mimetype="application/pdf", as_attachment=False,
                     download_name=f"督办单-{notice.year}-{notice.seq}.pdf")
