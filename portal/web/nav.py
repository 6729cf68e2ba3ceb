"""Role-aware navigation. An item shows only when its endpoint exists and the role may call it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for

from portal.web.access import allowed_roles


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str


NAV = (
    NavItem("首页", "home.index"),
    NavItem("我的工单", "orders.my_orders"),
    NavItem("工单中心", "orders.queues"),
    NavItem("来电登记", "calls.console"),
    NavItem("知识库", "knowledge.entries"),
    NavItem("报送任务", "knowledge.campaigns"),
    NavItem("申诉", "appeals.index"),
    NavItem("统计分析", "stats.dashboard"),
    NavItem("本单位统计", "stats.unit_dashboard"),
    NavItem("考核", "scores.index"),
    NavItem("本单位考核", "scores.mine"),
    NavItem("通报", "circulars.index"),
    NavItem("本单位人员", "units.roster"),
    NavItem("下级单位", "units.sub_units"),
    NavItem("人员变更", "admin.roster_changes"),
    NavItem("单位管理", "admin.units"),
    NavItem("用户管理", "admin.users"),
    NavItem("系统设置", "settings.index"),
    NavItem("安全管理", "security.accounts"),
    NavItem("审计日志", "audit.index"),
)


def nav_for(user) -> list[tuple[str, str, str]]:
    """Return (label, endpoint, url) for the items this user may open.

    Every page shows it: kept per app, set of roles and mount point (the declarations and the URL rules do
    not change while the process runs; a handful of role sets exist)."""
    cache = current_app.extensions.setdefault("portal.nav", {})
    key = (user.roles, request.script_root)
    if key not in cache:
        cache[key] = tuple((item.label, item.endpoint, url_for(item.endpoint)) for item in NAV
                           if (roles := allowed_roles(current_app, item.endpoint)) and user.roles & roles)
    return list(cache[key])
