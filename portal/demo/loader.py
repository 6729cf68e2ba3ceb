"""`flask demo load`: build the Ankang August 2018 situation of DOMAIN.md §7, step by step."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.circulars.demo import load_circular
from portal.demo.accounts import load_accounts
from portal.demo.calls import load_calls
from portal.demo.escalation import load_escalation
from portal.demo.knowledge import load_knowledge
from portal.demo.orders import load_orders
from portal.demo.sub_units import load_passed_down, load_sub_units
from portal.demo.units import ALL_UNITS
from portal.extensions import db
from portal.scores.demo import load_scores
from portal.orders.reminders import send_deadline_reminders
from portal.units.models import Unit


def is_loaded() -> bool:
    return (db.session.scalar(select(func.count(Unit.id))) or 0) > 0


def load_units() -> int:
    for order, (short, full, group, aliases) in enumerate(ALL_UNITS, start=1):
        db.session.add(Unit(short_name=short, full_name=full, group=group, aliases=list(aliases),
                            display_order=order, lead_name=f"{short}牵头负责人"))
    db.session.flush()
    return len(ALL_UNITS)


# Each step: (what it says while loading, callable returning a short summary). Later features append
# their steps here in dependency order: units → accounts → orders → knowledge → calls → scores → circular,
# then today's deadline reminders, exactly as the cron job would send them.
STEPS = [
    ("单位", lambda: f"{load_units()} 个承办单位"),
    ("账号", lambda: f"{len(load_accounts())} 个账号"),
    ("工单", load_orders),
    ("知识库", load_knowledge),
    ("来电", load_calls),
    ("申诉与督办", load_escalation),
    ("考核", load_scores),
    ("通报", load_circular),
    ("下级单位", load_sub_units),
    ("下派工单", load_passed_down),
    ("到期提醒", lambda: f"{send_deadline_reminders()} 条"),
]


def load_demo(echo=print) -> None:
    for label, step in STEPS:
        echo(f"载入{label}：{step()}")
    db.session.commit()
