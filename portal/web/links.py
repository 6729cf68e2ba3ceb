"""Links to portal pages that are stored (notifications) or sent from commands (cron reminders).

Built from configuration, never from the request at hand, so a reminder sent by `flask orders remind` and the
same notice sent during a request link to the same place. PORTAL_BASE_URL (e.g. https://12345.example.cn/portal)
says where the portal is served; its path is the application root (default "/"). Stored links are paths on
that root: they open wherever the user reached the portal from. `absolute_link_for` gives the full address
(for text sent outside the portal).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def _base():
    base = urlsplit(current_app.config.get("PORTAL_BASE_URL") or "")
    return (base.scheme or current_app.config.get("PREFERRED_URL_SCHEME") or "http",
            base.netloc or "localhost", base.path.rstrip("/") or "/")


def link_for(endpoint: str, **values) -> str:
    """The page's path under the configured application root, e.g. /portal/orders/12."""
    scheme, host, root = _base()
    return current_app.url_map.bind(host, script_name=root, url_scheme=scheme).build(endpoint, values)


def absolute_link_for(endpoint: str, **values) -> str:
    scheme, host, root = _base()
    return current_app.url_map.bind(host, script_name=root, url_scheme=scheme).build(endpoint, values,
                                                                                   force_external=True)
