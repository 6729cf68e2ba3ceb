"""The knowledge blueprint. Its pages are in portal/knowledge/{campaign_views,views}.py; portal.create_app loads them and registers it."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("knowledge", "portal.knowledge", url_prefix="/knowledge")

