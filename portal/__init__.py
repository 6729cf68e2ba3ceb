"""12345 承办单位工作门户."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import database  # noqa: F401  (registers the SQLite engine hooks)
from portal.config import build_config
from portal.extensions import csrf, db, limiter, login_manager, migrate
from portal.logs import register_logging
from portal.paths import resource_dir
from portal.web.health import register_health


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
        instance_path=os.environ.get("PORTAL_INSTANCE") or None,
        instance_relative_config=True,
    )
    app.config.update(build_config(Path(app.instance_path)))
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_logging(app)
    if app.config.get("PROXY_FIX_HOPS"):
        # Behind nginx (one hop) the client's address and scheme come from X-Forwarded-For/-Proto, so the
        # login rate limit counts each user, not the proxy. Never trust more hops than there are proxies.
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    register_extensions(app)
    register_inputs(app)  # before the blueprints: their <int:…> rules use the bounded converter
    register_blueprints(app)
    register_web(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "warning"
    csrf.init_app(app)
    limiter.init_app(app)
    from portal import models  # noqa: F401  (every model, for metadata and migrations)
    from portal.auth import loader  # noqa: F401


def register_inputs(app: Flask) -> None:
    from portal.web.inputs import register_inputs as register

    register(app)


def register_blueprints(app: Flask) -> None:
    from portal.admin import user_views, views as admin_views  # noqa: F401  (pages on admin.blueprint.bp)
    from portal.admin.blueprint import bp as admin_bp
    from portal.appeals.views import bp as appeals_bp
    from portal.supervision.views import bp as supervision_bp
    from portal.auth.views import bp as auth_bp
    from portal.calls.views import bp as calls_bp
    from portal.circulars.views import bp as circulars_bp
    from portal.knowledge import campaign_views, category_views, views as knowledge_views  # noqa: F401  (pages on its bp)
    from portal.knowledge.blueprint import bp as knowledge_bp
    from portal.notifications.views import bp as notifications_bp
    from portal.order_import.views import bp as order_import_bp
    from portal.orders import actions, task_views, views as order_views  # noqa: F401  (pages on orders.blueprint.bp)
    from portal.orders.blueprint import bp as orders_bp
    from portal.roster import tree_views, views as roster_views  # noqa: F401  (pages on roster.blueprint.bp)
    from portal.roster.blueprint import bp as roster_bp
    from portal.settings.views import bp as settings_bp
    from portal.scores.views import bp as scores_bp
    from portal.stats.views import bp as stats_bp
    from portal.home.views import bp as home_bp
    from portal.subjects.views import bp as subjects_bp
    from portal.audit_pages.views import bp as audit_bp
    from portal.security_pages.views import bp as security_bp

    for bp in (auth_bp, home_bp, admin_bp, roster_bp, orders_bp, notifications_bp, stats_bp, knowledge_bp, calls_bp,
               settings_bp, circulars_bp, order_import_bp, subjects_bp, audit_bp, scores_bp, security_bp, appeals_bp,
               supervision_bp):
        app.register_blueprint(bp)
    register_health(app)


def register_web(app: Flask) -> None:
    from portal.audit.hooks import register_hooks as register_audit_hooks
    from portal.auth.sessions import register_sessions
    from portal.web.access import register_guard
    from portal.web.assets import asset_url
    from portal.web.errors import register_error_handlers
    from portal.web.filters import register_filters
    from portal.web.htmx import add_vary_header
    from portal.web.nav import nav_for
    from portal.web.security import register_security

    register_sessions(app)  # before the guard: an expired session is anonymous to it
    register_guard(app)
    register_security(app)
    register_audit_hooks(app)
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


