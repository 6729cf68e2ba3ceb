"""The admin blueprint. Its pages are in portal/admin/{user_views,views}.py; portal.create_app loads them and registers it."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", "portal.admin", url_prefix="/admin")

