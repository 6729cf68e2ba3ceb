"""No inline script runs: the CSP forbids it, and no template or page carries one (issue 9)."""
from __future__ import annotations

import re
from pathlib import Path

from portal.auth.roles import Role

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)
JS_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']\s*javascript:""", re.I)


def _inline_code(html: str) -> list[str]:
    """Script tags without src that are not JSON data, inline event handlers, javascript: URLs, hx-on."""
    found = [m.group(0) for m in SCRIPT_TAG.finditer(html)
             if "src=" not in m.group(1) and "application/json" not in m.group(1)]
    found += HANDLER.findall(html) + [m.group(0) for m in JS_URL.finditer(html)]
    found += re.findall(r"\shx-on[:-]", html)
    return found


def test_csp_allows_no_inline_script(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'self'" in script_src


def test_no_template_has_inline_script_or_handler():
    offenders = {str(p.relative_to(TEMPLATES)): _inline_code(p.read_text(encoding="utf-8"))
                 for p in TEMPLATES.rglob("*.html")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_checker_finds_what_it_looks_for():
    assert _inline_code('<script>alert(1)</script><button onclick="x()">') == ["<script>", ' onclick="']
    assert _inline_code('<script type="application/json">{}</script><script src="/a.js"></script>') == []


def test_rendered_pages_of_every_role_have_no_inline_script(client, login_as):
    pages = {
        Role.ADMIN: ["/", "/admin/units", "/admin/users", "/settings/", "/orders/queues", "/stats/"],
        Role.CENTRE_STAFF: ["/", "/orders/queues", "/stats/", "/knowledge/", "/circulars/"],
        Role.OPERATOR: ["/", "/calls/", "/orders/new"],
        Role.UNIT_LEADER: ["/", "/orders/mine", "/unit/roster", "/stats/unit"],
        Role.LIAISON: ["/", "/orders/mine", "/knowledge/"],
    }
    for role, paths in pages.items():
        login_as(role)
        for path in paths:
            resp = client.get(path)
            assert resp.status_code == 200, (role, path, resp.status_code)
            assert _inline_code(resp.get_data(as_text=True)) == [], (role, path)
