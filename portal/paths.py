"""Where the templates, static files and migrations are: beside the package in a checkout, inside it installed."""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """portal/<name> in an installed wheel, else <checkout>/<name>."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name
