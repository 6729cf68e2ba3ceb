"""Configuration read from the environment."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

TIME_ZONE = "Asia/Shanghai"


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, or the one generated once into instance/secret_key.

    Several gunicorn workers start at once: each writes a complete key to its own temporary file and
    hard-links it to secret_key, which fails when another worker won. The name never points at a
    partly written file, and every worker reads the winner's key.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        tmp = instance_path / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another worker's key is already in place
        finally:
            tmp.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} 中的密钥过短或为空；请删除该文件后重启，或设置环境变量 SECRET_KEY。")
    return key


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"环境变量 {name} 应为整数，现为“{value}”。") from None


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
        # Secure unless explicitly turned off for plain-HTTP local use (make run, tests): SESSION_COOKIE_SECURE=0.
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "1") != "0",
        "REMEMBER_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "1") != "0",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": int(os.environ.get("SESSION_MAX_HOURS", "12")),
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_MAX_HOURS", "12")) * 3600,
        "WTF_CSRF_TIME_LIMIT": None,
        # Shared limits across workers and servers: Redis (REDIS_URL, or RATELIMIT_STORAGE_URI directly).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://",
        # If Redis is unreachable, limit per worker in memory instead of failing every limited request.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "PROXY_FIX_HOPS": _int("PROXY_FIX_HOPS", 0),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").upper(),
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") == "1",
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "PAGE_SIZE": 20,
        # A folder with the official circular fonts (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312 .ttf/.ttc).
        "CIRCULAR_FONTS_DIR": os.environ.get("CIRCULAR_FONTS_DIR", ""),
        # Where the portal is served, e.g. https://12345.example.cn/portal: links in notifications and
        # reminders sent from commands are built from it (portal.web.links).
        "PORTAL_BASE_URL": os.environ.get("PORTAL_BASE_URL", ""),
    }
