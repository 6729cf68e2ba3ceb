"""`flask calls ...` (the import command comes from portal.call_import, attached in portal/cli.py)."""
from __future__ import annotations

from flask.cli import AppGroup

calls_cli = AppGroup("calls", help="来电 / calls.")
