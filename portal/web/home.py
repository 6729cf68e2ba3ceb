"""The landing page after login."""
from __future__ import annotations

from flask import Blueprint, render_template

from portal.auth.roles import ALL_ROLES
from portal.web.access import roles

bp = Blueprint("home", __name__)


@bp.get("/")
@roles(*ALL_ROLES)
def index():
    return render_template("home/index.html")
