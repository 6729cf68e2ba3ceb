"""/healthz for load balancers and monitoring: 200 when the database answers, 503 when it does not."""
from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db

log = logging.getLogger("portal.health")


def register_health(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            db.session.rollback()
            log.error("health check failed: database unreachable: %s", type(exc).__name__)
            return {"status": "error", "database": "unreachable", "message": "数据库无法连接。"}, 503
        return {"status": "ok", "database": "ok"}
