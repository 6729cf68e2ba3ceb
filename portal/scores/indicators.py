"""The indicators a scheme may use: each reads a figure the portal already defines (portal.stats, the KB
campaign statuses), never a rate of its own.

An indicator gives (numerator, denominator) for a unit, or None when it does not apply to that unit this
month: the figure is absent (no callbacks, no campaign due, or a figure this installation does not provide
yet) or its denominator is 0. A scheme's weights are then shared among the indicators that apply
(docs/decisions.md, issue 13). Adding an indicator is one entry in REGISTRY.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figures:
    """What the indicators read for one unit and month, as of T (any part may be missing)."""

    row: object | None = None  # portal.stats.table.UnitRow
    rates: object | None = None  # portal.stats.rates.UnitRates
    kb: object | None = None  # portal.knowledge.queries.Compliance


def _pair(source, num: str, den: str) -> tuple[int, int] | None:
    """Two counts of a figure object, or None when the object or the figure is absent or there is nothing to divide."""
    if source is None or not hasattr(source, num) or not hasattr(source, den):
        return None
    n, d = int(getattr(source, num)), int(getattr(source, den))
    return (n, d) if d else None


def _on_time(f: Figures):
    return None if f.row is None else _pair(f.row, "on_time", "rate_denominator")


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    penalty: bool  # 反向指标: the lower the rate the better (退单率, 重办率)
    basis: str  # what the rate divides, in plain Chinese
    ratio: Callable[[Figures], tuple[int, int] | None]


REGISTRY: dict[str, Indicator] = {i.key: i for i in (
    Indicator("sign", "签收及时率", False, "按时签收的工单数 ÷ 已签收的工单数",
              lambda f: _pair(f.rates, "signed_on_time", "signed")),
    Indicator("on_time", "按期办结率", False, "按期办结数 ÷（工单总量 − 在办数）", _on_time),
    Indicator("satisfaction", "回访满意率", False, "回访结果为满意等级的次数 ÷ 回访次数",
              lambda f: _pair(f.rates, "satisfied", "callbacks")),
    Indicator("resolution", "解决率", False, "办结回复为“已解决”的工单数 ÷ 已办结工单数",
              lambda f: _pair(f.rates, "resolved", "completed")),
    Indicator("return", "退单率", True, "申请过退单的工单数 ÷ 派给本单位的工单数",
              lambda f: _pair(f.rates, "returned_orders", "dispatched_to")),
    Indicator("reopen", "重办率", True, "被退回重办或重办过的工单数 ÷ 工单总量",
              lambda f: _pair(f.rates, "reopened", "total")),
    Indicator("kb", "知识库报送率", False, "按时报送（含获准补报）的报送任务数 ÷ 本月截止的报送任务数",
              lambda f: _pair(f.kb, "met", "due")),
    # 协办 (co-handling, issue 12): reads UnitRates.co_on_time / co_due (portal/stats/cotasks.py) once that figure
    # exists; until then the indicator is 不适用 for every unit and its weight goes to the others.
    Indicator("co_handling", "协办及时率", False, "按时答复的协办任务数 ÷ 应答复的协办任务数",
              lambda f: _pair(f.rates, "co_on_time", "co_due")),
)}
