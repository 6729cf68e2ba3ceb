"""The unit leader's roster pages. The blueprint keeps the name "units" (endpoints units.roster, …) and
its /unit prefix: the pages are about the unit's people, they live here because they hand orders over."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("units", "portal.roster", url_prefix="/unit")

