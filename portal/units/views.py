"""Unit-side pages: the unit leader's roster."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("units", __name__, url_prefix="/unit")
