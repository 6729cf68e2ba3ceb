"""The orders blueprint. Its pages are in portal/orders/{actions,views}.py; portal.create_app loads them and registers it."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("orders", "portal.orders", url_prefix="/orders")

