"""Front-end assets: vendored under static/vendor.

A government intranet has no CDN, so pages load only the vendored copies. When
PORTAL_CDN_BASE is set (an npm mirror the site trusts, e.g. an internal one), the same
pinned files are loaded from there instead: BASE/<package>@<version>/<path>.
"""
from __future__ import annotations

from flask import current_app, url_for

# name: (vendored file under static/, npm package@version, path inside the package)
ASSETS = {
    "htmx": ("vendor/htmx-2.0.11/htmx.min.js", "htmx.org@2.0.11", "dist/htmx.min.js"),
    "bootstrap_css": ("vendor/bootstrap-5.3.9/bootstrap.min.css", "bootstrap@5.3.9", "dist/css/bootstrap.min.css"),
    "bootstrap_js": ("vendor/bootstrap-5.3.9/bootstrap.bundle.min.js", "bootstrap@5.3.9", "dist/js/bootstrap.bundle.min.js"),
    "echarts": ("vendor/echarts-6.1.0/echarts.min.js", "echarts@6.1.0", "dist/echarts.min.js"),
}


def asset_url(name: str) -> str:
    local, package, path = ASSETS[name]
    base = current_app.config.get("CDN_BASE")
    if base:
        return f"{base.rstrip('/')}/{package}/{path}"
    return url_for("static", filename=local)
