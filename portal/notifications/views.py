"""The notification list and the navigation badge (polled by htmx)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user

from portal.auth.roles import ALL_ROLES
from portal.extensions import db
from portal.notifications.services import (
    KIND_LABELS, mark_read, notifications_of, own_notification, unread_count,
)
from portal.web.access import roles
from portal.web.htmx import redirect_after_post, render_page_or_fragment
from portal.web.inputs import arg_page

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@roles(*ALL_ROLES)
def index():
    unread_only = request.args.get("unread") == "1"
    page = db.paginate(notifications_of(current_user, unread_only=unread_only),
                       page=arg_page(), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
    args = {"unread": "1"} if unread_only else {}
    return render_page_or_fragment("notifications/index.html", "notifications/_list.html", results=page,
                                   labels=KIND_LABELS, args=args, unread=unread_count(current_user))


@bp.get("/badge")
@roles(*ALL_ROLES)
def badge():
    return render_template("_notifications_badge.html")


@bp.post("/<int:notification_id>/read")
@roles(*ALL_ROLES)
def read(notification_id: int):
    """Mark one notification read and open its link."""
    item = own_notification(current_user, notification_id)
    if item is None:
        abort(404)
    mark_read(current_user, item.id)
    db.session.commit()
    return redirect_after_post(item.link or url_for("notifications.index"))


@bp.post("/read-all")
@roles(*ALL_ROLES)
def read_all():
    mark_read(current_user)
    db.session.commit()
    return redirect_after_post(url_for("notifications.index"))


@bp.app_context_processor
def inject_unread():
    """The badge's count, for every page that includes the navigation."""
    def count():
        return unread_count(current_user) if current_user.is_authenticated else 0

    return {"unread_notifications": count}
