"""The landing page after login: each role's to-do list, with the panels each feature provides.

The home page sits above the features: it asks each one explicitly for what this user has to do,
so a missing feature is an import error, never a silently empty page.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, render_template
from flask_login import current_user
from markupsafe import Markup

from portal.appeals import queries as appeals
from portal.auth.roles import ALL_ROLES, Role
from portal.calendar.arrangements import missing_years
from portal.calls import queries as calls
from portal.clock import now
from portal.orders import queries as orders
from portal.scores.queries import home_panel as scores_panel
from portal.stats.dashboard import home_summary
from portal.stats.subunits import overdue_sub_unit_tasks
from portal.units import queries as units
from portal.web.access import roles

bp = Blueprint("home", __name__)


@dataclass(frozen=True)
class Panel:
    template: str
    data: dict = field(default_factory=dict)


def panels_for(user, at) -> list[Panel]:
    """The panels of this user's home page, most urgent first."""
    panels = []
    if user.has_role(Role.ADMIN):
        panels.append(Panel("calendar/_missing_year_warning.html", {"missing": missing_years(at.date())}))
    if user.is_centre:
        panels.append(Panel("units/_home_warning.html", {
            "lacking": units.units_without_liaison(), "recent_changes": units.recent_roster_change_count(7)}))
    if user.role == Role.OPERATOR:
        panels.append(Panel("calls/_home_panel.html", {
            "day": calls.call_day(user, at), "waiting": calls.waiting_for_order(user)}))
    if user.is_unit_user:
        late, late_count = overdue_sub_unit_tasks(user, at)
        if late_count:
            panels.append(Panel("stats/_home_sub_units.html", {"tasks": late, "count": late_count, "at": at}))
    todo = orders.home_todo(user, at)
    if todo:
        panels.append(Panel("orders/_home_todo.html", {"todo": todo}))
    appeal_todo = appeals.home_todo(user)
    if appeal_todo is not None:
        panels.append(Panel("appeals/_home_todo.html", {"item": appeal_todo}))
    summary = home_summary(user, at)
    if summary:
        panels.append(Panel("stats/_home_panel.html", {"s": summary}))
    scores = scores_panel(user, at)
    if scores:
        panels.append(Panel("scores/_home_panel.html", {"p": scores}))
    return panels


@bp.get("/")
@roles(*ALL_ROLES)
def index():
    # Each panel is its feature's own template, rendered with exactly the data asked for above.
    html = [Markup(render_template(p.template, **p.data)) for p in panels_for(current_user, now())]
    return render_template("home/index.html", panels=html)
