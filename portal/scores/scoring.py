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


def formula(rule: Rule, full_marks: dict[str, int]) -> str:
    """The indicator's rule in plain Chinese, e.g. 按期办结率（权重30%，区县政府满分45分、市直部门满分30分）：…"""
    ind = rule.indicator
    shares = "、".join(f"{g}{to_points(Fraction(m * rule.weight, 100)).normalize():f}分" for g, m in full_marks.items())
    if ind.penalty:
        text = f"得分 = 该项分值 × （1 − {ind.label}）"
        if rule.threshold is not None:
            text += f"；{ind.label}高于{rule.threshold}%时该项得0分"
    else:
        text = f"得分 = 该项分值 × {ind.label}"
        if rule.threshold is not None:
            text += f"；{ind.label}低于{rule.threshold}%时该项得0分"
    return f"{ind.label}（权重{rule.weight}%，分值：{shares}）：{ind.label} = {ind.basis}；{text}。"


GENERAL_RULES = (
    "各项指标按统计截止时间的数据计算，比率按精确分数计算（不先四舍五入），每项得分四舍五入保留两位小数。",
    ("某项指标本月对某单位不适用（如没有回访、没有本月截止的报送任务）时，该项不计分，其权重按比例分给其余适用的指标，"
     "满分不变。"),
    "总分 = 各项得分之和 − 扣分 + 加分，最低为0分。本月没有派给该单位的工单时，该单位不参加本月考核。",
    ("各组内按总分从高到低排名，总分相同的并列；红榜取前若干名、黑榜取后若干名（各不超过本组参与排名单位数的一半），"
     "与其名次并列的单位一并列入；与第一名同分的单位不列入黑榜。红黑榜按全部单位评定时，按得分率（总分 ÷ 本组满分）比较。"),
)
