"""Template filters and globals."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from portal.web.masking import mask_mobile
from portal.web.once import new_token


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
