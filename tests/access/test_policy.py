"""Every endpoint × role × method against one policy table (SecureDrop/CTFd style).

Each feature keeps its part of the table in tests/access/policy_<feature>.py. An endpoint
missing from the table fails; a view whose @roles differs from the table fails; and every
role is sent to every endpoint to check the guard answers as the table says.
"""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from werkzeug.routing import IntegerConverter

from portal.auth.roles import Role
from portal.web.access import allowed_roles
from tests import access
from tests.access.policy_core import LOGGED_IN, PUBLIC


def _policy() -> dict:
    merged = {}
    for info in pkgutil.iter_modules(access.__path__):
        if info.name.startswith("policy_"):
            module = importlib.import_module(f"tests.access.{info.name}")
            overlap = merged.keys() & module.POLICY.keys()
            assert not overlap, f"endpoints declared twice: {overlap}"
            merged.update(module.POLICY)
    return merged


POLICY = _policy()


def _endpoints(app):
    return sorted({r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"})


def _url(app, rule) -> str:
    args = {}
    for name in rule.arguments:
        args[name] = 999999 if isinstance(rule._converters[name], IntegerConverter) else "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **args)


def test_every_endpoint_is_in_the_policy_table(app):
    missing = [e for e in _endpoints(app) if e not in POLICY]
    assert not missing, f"add these endpoints to tests/access/policy_*.py: {missing}"
    stale = [e for e in POLICY if e not in _endpoints(app)]
    assert not stale, f"policy names endpoints that no longer exist: {stale}"


def test_declared_roles_match_the_policy(app):
    for endpoint in _endpoints(app):
        expected = POLICY[endpoint]
        declared = allowed_roles(app, endpoint)
        if expected in (PUBLIC, LOGGED_IN):
            assert declared is None, f"{endpoint} is {expected} but declares roles {declared}"
        else:
            assert declared == frozenset(expected), f"{endpoint}: declared {declared}, policy {expected}"


def _requests(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


@pytest.mark.parametrize("role", [None, *Role])
def test_guard_answers_every_role_as_the_policy_says(app, client, login_as, role):
    if role is not None:
        login_as(role)
    failures = []
    for rule, method in _requests(app):
        expected = POLICY[rule.endpoint]
        if rule.endpoint == "auth.logout":
            continue  # would end the session mid-loop; covered in tests/auth
        resp = client.open(_url(app, rule), method=method, headers={"HX-Request": "true"})
        status = resp.status_code
        if expected == PUBLIC:
            ok = status != 401 and status != 403
        elif role is None:
            ok = status == 401 and resp.headers.get("HX-Redirect", "").startswith("/login")
        elif expected == LOGGED_IN or role in expected:
            ok = status not in (401, 403) and status < 500
        else:
            ok = status == 403
        if not ok:
            failures.append(f"{method} {rule.rule} as {role}: {status}")
    assert not failures, "\n".join(failures)
