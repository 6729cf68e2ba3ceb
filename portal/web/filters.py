"""Template filters and globals."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from portal.web.once import new_token


def mask_mobile(value: str | None) -> str:
    """138****1234 for an 11-digit mobile; other numbers keep only their last 4 digits."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) == 11 and digits.isdigit():
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "****"


def fmt_dt(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(fmt)
    return value.strftime("%Y-%m-%d")


def register_filters(app: Flask) -> None:
    app.add_template_filter(mask_mobile, "mask_mobile")
    app.add_template_filter(fmt_dt, "dt")
    app.add_template_global(new_token, "new_form_token")
