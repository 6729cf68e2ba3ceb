"""Crawl the portal as a role and send hostile values to every form field and query argument it finds.

The crawler reads the HTML of every GET page reachable from `app.url_map` (with real ids of a small world),
collects each form (its action, method and the values it would submit) and every hx-get/hx-post link, and
the fuzzer then replays each form with one field replaced by a hostile value, dropped or doubled. Any
answer >= 500 is a failure, and so is a refusal (>= 400) that changed a row count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import func, select

from portal.extensions import db

HOSTILE = (
    "", " ", "0", "-1", "1.5", "1e309", "NaN", str(2**31), str(2**63), str(2**64), "-" + str(2**63),
    "9" * 40, "9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30", "2026-13-01", "2026/1/1", "not a date",
    "9999-12-31T23:59", "\x00", "a\x00b", "\x01\x02\x1b\x7f", "\u202e反转", "\ufeff", "<script>x</script>",
    "' OR 1=1 --", "x" * 5000, "１２３", "[]", "../../etc/passwd", "%00", "true", "测" * 300,
)


@dataclass
class Form:
    role: str
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def key(self):
        return (self.role, self.method, urlsplit(self.action).path, tuple(sorted({n for n, _ in self.fields})))


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.links: set[tuple[str, str]] = set()
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen: list[str] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for attr, method in (("hx-get", "GET"), ("hx-post", "POST")):
            if a.get(attr):
                self.links.add((method, a[attr]))
        if tag == "form":
            method = (a.get("method") or ("post" if a.get("hx-post") else "get")).upper()
            action = a.get("hx-post") or a.get("action") or self.page_url
            self._form = Form(role="", action=action, method=method)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "image", "reset"):
                return
            value = a.get("value") or ("y" if kind == "checkbox" else "")
            if kind == "file":
                value = "<file>"
            self._form.fields.append((a["name"], value))
        elif tag == "select" and a.get("name"):
            self._select, self._select_first, self._select_chosen = a["name"], None, []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select_chosen.append(value)
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []
        elif tag == "button" and a.get("name") and a.get("value"):
            self._form.fields.append((a["name"], a["value"]))

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            for value in self._select_chosen or [self._select_first or ""]:
                self._form.fields.append((self._select, value))
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            self._form.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None


def parse_page(url: str, html: str) -> tuple[list[Form], set[tuple[str, str]]]:
    parser = _FormParser(url)
    parser.feed(html)
    return parser.forms, parser.links


def row_counts() -> tuple[int, ...]:
    """One number per table: a refusal must leave every one unchanged (the audit log records refusals)."""
    tables = [t for t in db.metadata.sorted_tables if t.name != "audit_event"]
    parts = [select(func.count()).select_from(t).scalar_subquery() for t in tables]
    return tuple(db.session.execute(select(*parts)).one())


def query_names(url: str) -> list[str]:
    return [k for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)]


INT_ARG = re.compile(r"<int:(\w+)>")
