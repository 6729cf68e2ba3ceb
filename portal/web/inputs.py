"""Input at the boundary: control characters cleaned from every request value, bounded query arguments.

Every form value, query argument and upload file name reaches the views without C0/C1 control characters
(tab, line feed and carriage return kept): a NUL cannot reach PostgreSQL (which refuses it), a stored name
with a control character cannot break a download header or an XLSX export. Query arguments are read
through `arg_int`, `arg_date` and `arg_choice`, which turn anything out of range into the default instead
of an exception deep in a query.
"""
from __future__ import annotations

import re
from datetime import date, datetime

from flask import Request, request
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter

# C0 controls except \t \n \r, DEL, C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Database ids are 32-bit INTEGER on PostgreSQL; a larger number is no id of ours.
MAX_ID = 2**31 - 1
# Dates the portal can compute with (date + 1 day must not overflow) and store on both databases.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)


def clean_text(value: str) -> str:
    """The text without control characters (tab, line feed, carriage return kept)."""
    return _CONTROL.sub("", value)


def _clean_value(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, FileStorage) and value.filename:
        value.filename = clean_text(value.filename).replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return value


def _pairs(mapping):
    if mapping is None:
        return []
    if isinstance(mapping, MultiDict):
        return list(mapping.items(multi=True))
    if isinstance(mapping, dict):
        return list(mapping.items())
    return list(mapping)


class CleanMultiDict(ImmutableMultiDict):
    """An ImmutableMultiDict whose keys and values carry no control characters."""

    def __init__(self, mapping=None):
        super().__init__([(clean_text(k) if isinstance(k, str) else k, _clean_value(v)) for k, v in _pairs(mapping)])


class CleanRequest(Request):
    parameter_storage_class = CleanMultiDict


class IdConverter(IntegerConverter):
    """`<int:…>` in a URL: 0 … 2^31 − 1; anything larger is simply not found (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def bounded_int(raw: str | None, default: int | None = None, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """A whole number within [low, high] from text, else the default."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 12:
        return default
    value = int(raw)
    return value if low <= value <= high else default


def arg_int(name: str, default: int | None = None, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """A whole-number query argument within [low, high], else the default."""
    return bounded_int(request.args.get(name), default, low=low, high=high)


MAX_PAGE = 100_000


def arg_page(name: str = "page") -> int:
    return arg_int(name, 1, low=1, high=MAX_PAGE)


def parse_date(raw: str | None) -> date | None:
    """A YYYY-MM-DD date within MIN_DATE … MAX_DATE, else None."""
    raw = (raw or "").strip()
    if len(raw) != 10 or not raw.isascii():
        return None
    try:
        value = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        return None
    return value if MIN_DATE <= value <= MAX_DATE else None


def arg_date(name: str) -> date | None:
    return parse_date(request.args.get(name))


def arg_choice(name: str, choices, default: str | None = None) -> str | None:
    value = request.args.get(name)
    return value if value in choices else default


def register_inputs(app) -> None:
    app.request_class = CleanRequest
    app.url_map.converters["int"] = IdConverter
