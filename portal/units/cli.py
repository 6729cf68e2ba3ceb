"""`flask units ...`."""
from __future__ import annotations

from flask.cli import AppGroup

units_cli = AppGroup("units", help="承办单位 / units.")
