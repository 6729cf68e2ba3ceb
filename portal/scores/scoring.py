"""How one unit's month is scored under a scheme version: pure arithmetic, no database.

For a unit of a group with full marks M and the indicators that apply to it this month (weights w_i, their
sum W): the indicator's share is M × w_i ÷ W (W is 100 when every indicator applies). Its points are
share × rate, or share × (1 − rate) for a 反向指标 (退单率, 重办率); 0 when the rate is below the threshold
(above it for a 反向指标). Rates are exact fractions (934/961, not the rounded 97%). Each indicator's points
are rounded half up to 2 decimals; the base score is their sum, the score is base − deductions + bonuses
and never below 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from portal.scores.indicators import Figures, Indicator
from portal.stats.formatting import percent_one_decimal

CENT = Decimal("0.01")


def to_points(value: Fraction | int) -> Decimal:
    """A Fraction of points as a Decimal rounded half up to 2 decimals."""
    value = Fraction(value)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def from_hundredths(hundredths: int) -> Decimal:
    return (Decimal(hundredths) / 100).quantize(CENT)


@dataclass(frozen=True)
class Rule:
    """One indicator of a scheme version, detached from the database row."""

    indicator: Indicator
    weight: int
    threshold: int | None


@dataclass(frozen=True)
class Part:
    """How one indicator scored for one unit."""

    rule: Rule
    ratio: tuple[int, int] | None  # None: 不适用
    share: Fraction = Fraction(0)
    points: Decimal = Decimal("0.00")
    zeroed: bool = False  # below the threshold (above it for a 反向指标)

    @property
    def applies(self) -> bool:
        return self.ratio is not None

    @property
    def share_points(self) -> Decimal:
        return to_points(self.share)

    @property
    def lost(self) -> Decimal:
        return self.share_points - self.points if self.applies else Decimal("0.00")

    @property
    def rate_text(self) -> str:
        return percent_one_decimal(*self.ratio) if self.ratio else "不适用"


@dataclass
class Score:
    """A unit's score for a month (total None: nothing applies, not scored)."""

    full_marks: int
    parts: list[Part]
    deductions: Decimal = Decimal("0.00")
    bonuses: Decimal = Decimal("0.00")
    base: Decimal | None = None
    total: Decimal | None = None
    adjustments: list = field(default_factory=list)

    @property
    def percent(self) -> Fraction | None:
        """得分率: the score as a share of the group's full marks (compares units of different groups)."""
        return None if self.total is None else Fraction(self.total) / self.full_marks


def score(rules: list[Rule], full_marks: int, figures: Figures, adjustment_hundredths: list[int]) -> Score:
    """Score one unit: `adjustment_hundredths` are signed (bonus +, deduction −)."""
    ratios = [r.indicator.ratio(figures) for r in rules]
    weight = sum(r.weight for r, ratio in zip(rules, ratios) if ratio is not None)
    parts = []
    for rule, ratio in zip(rules, ratios):
        if ratio is None:
            parts.append(Part(rule, None))
            continue
        share = Fraction(full_marks * rule.weight, weight)
        rate = Fraction(*ratio)
        limit = None if rule.threshold is None else Fraction(rule.threshold, 100)
        if rule.indicator.penalty:
            zeroed = limit is not None and rate > limit
            earned = share * (1 - rate)
        else:
            zeroed = limit is not None and rate < limit
            earned = share * rate
        parts.append(Part(rule, ratio, share, Decimal("0.00") if zeroed else to_points(earned), zeroed))
    deductions = from_hundredths(-sum(h for h in adjustment_hundredths if h < 0))
    bonuses = from_hundredths(sum(h for h in adjustment_hundredths if h > 0))
    result = Score(full_marks, parts, deductions, bonuses)
    if weight:
        result.base = sum((p.points for p in parts), Decimal("0.00"))
        result.total = max(Decimal("0.00"), result.base - deductions + bonuses)
    return result
