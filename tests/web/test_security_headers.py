from __future__ import annotations

from portal.auth.roles import Role


def test_pages_carry_security_headers_and_are_not_cached(client, login_as):
    login_as(Role.ADMIN)
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in resp.headers["Vary"]


def test_vendored_assets_only_unless_a_mirror_is_configured(client, make_app):
    page = client.get("/login").text
    assert 'src="/static/vendor/htmx-2.0.11/htmx.min.js"' in page
    assert "http" not in page.split("<body")[0].replace('http-equiv', '')
    mirrored = make_app(CDN_BASE="https://npm.intranet.example/")
    resp = mirrored.test_client().get("/login")
    assert 'src="https://npm.intranet.example/htmx.org@2.0.11/dist/htmx.min.js"' in resp.text
    assert "https://npm.intranet.example" in resp.headers["Content-Security-Policy"]


def test_error_pages_are_chinese(client, login_as):
    login_as(Role.LIAISON)
    resp = client.get("/no-such-page")
    assert resp.status_code == 404 and "页面不存在" in resp.text
    htmx = client.get("/no-such-page", headers={"HX-Request": "true"})
    assert htmx.status_code == 404 and 'data-message="页面不存在' in htmx.text
