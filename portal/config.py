"""Configuration read from the environment."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

TIME_ZONE = "Asia/Shanghai"


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def build_config(instance_path: Path) -> dict:
    """Build the configuration dict from the environment."""
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'portal.sqlite3'}"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "TIME_ZONE": TIME_ZONE,
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or str(instance_path / "uploads"),
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
        "CDN_BASE": os.environ.get("PORTAL_CDN_BASE", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") == "1",
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "PAGE_SIZE": 20,
        # A folder with the official circular fonts (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312 .ttf/.ttc).
        "CIRCULAR_FONTS_DIR": os.environ.get("CIRCULAR_FONTS_DIR", ""),
        # Where the portal is served, e.g. https://12345.example.cn/portal: links in notifications and
        # reminders sent from commands are built from it (portal.web.links).
        "PORTAL_BASE_URL": os.environ.get("PORTAL_BASE_URL", ""),
    }
