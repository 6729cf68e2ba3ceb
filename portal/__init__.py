"""12345 承办单位工作门户."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_login import current_user

from portal import database  # noqa: F401  (registers the SQLite engine hooks)
from portal.config import build_config
from portal.extensions import csrf, db, limiter, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    app.config.update(build_config(Path(app.instance_path)))
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_extensions(app)
    register_blueprints(app)
    register_web(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    from portal.orders.search import include_object

    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), include_object=include_object)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "warning"
    csrf.init_app(app)
    limiter.init_app(app)
    from portal import models  # noqa: F401  (every model, for metadata and migrations)
    from portal.auth import loader  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from portal.admin.views import bp as admin_bp
    from portal.auth.views import bp as auth_bp
    from portal.notifications.views import bp as notifications_bp
    from portal.orders.views import bp as orders_bp
    from portal.calls.views import bp as calls_bp
    from portal.circulars.views import bp as circulars_bp
    from portal.knowledge.views import bp as knowledge_bp
    from portal.order_import.views import bp as order_import_bp
    from portal.settings.views import bp as settings_bp
    from portal.stats.views import bp as stats_bp
    from portal.units.views import bp as units_bp
    from portal.web.home import bp as home_bp

    for bp in (auth_bp, home_bp, admin_bp, units_bp, orders_bp, notifications_bp, stats_bp, knowledge_bp, calls_bp, settings_bp, circulars_bp, order_import_bp):
        app.register_blueprint(bp)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}


def register_web(app: Flask) -> None:
    from portal.web.access import register_guard
    from portal.web.assets import asset_url
    from portal.web.errors import register_error_handlers
    from portal.web.filters import register_filters
    from portal.web.htmx import add_vary_header
    from portal.web.nav import nav_for
    from portal.web.security import register_security

    register_guard(app)
    register_security(app)
    register_error_handlers(app)
    register_filters(app)
    app.after_request(add_vary_header)

    @app.context_processor
    def inject_layout():
        nav = nav_for(current_user) if current_user.is_authenticated else []
        return {"asset_url": asset_url, "nav_items": nav}


def register_cli(app: Flask) -> None:
    from portal.cli import register_commands

    register_commands(app)


