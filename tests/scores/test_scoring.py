"""The scoring arithmetic of one unit: weights, full marks, thresholds, 反向指标, 不适用, adjustments."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from portal.scores.indicators import REGISTRY, Figures
from portal.scores.scoring import Rule, formula, score


def rates(**kw):
    base = dict(signed=10, signed_on_time=10, satisfied=0, callbacks=0, resolved=0, completed=0,
                returned_orders=0, dispatched_to=10, reopened=0, total=10)
    base.update(kw)
    return SimpleNamespace(**base)


def row(on_time: int, denominator: int):
    return SimpleNamespace(on_time=on_time, rate_denominator=denominator)


def rule(key: str, weight: int, threshold: int | None = None) -> Rule:
    return Rule(REGISTRY[key], weight, threshold)


def test_points_are_the_share_of_full_marks_times_the_exact_rate_rounded_half_up():
    rules = [rule("on_time", 60), rule("sign", 40)]
    s = score(rules, 150, Figures(row(233, 237), rates(signed=8, signed_on_time=7)), [])
    on_time, sign = s.parts
    assert on_time.share_points == Decimal("90.00")
    assert on_time.points == Decimal("88.48")  # 90 × 233/237 = 88.4810…
    assert sign.points == Decimal("52.50")  # 60 × 7/8
    assert (s.base, s.total) == (Decimal("140.98"), Decimal("140.98"))


def test_full_marks_differ_per_group_with_the_same_weights():
    rules = [rule("on_time", 50), rule("sign", 50)]
    figures = Figures(row(1, 2), rates())
    county, department = score(rules, 150, figures, []), score(rules, 100, figures, [])
    assert (county.total, department.total) == (Decimal("112.50"), Decimal("75.00"))


def test_a_rate_below_its_threshold_scores_zero_and_at_the_threshold_it_counts():
    rules = [rule("on_time", 100, threshold=60)]
    below = score(rules, 100, Figures(row(59, 100), rates()), [])
    at = score(rules, 100, Figures(row(60, 100), rates()), [])
    assert (below.total, below.parts[0].zeroed, below.parts[0].lost) == (Decimal("0.00"), True, Decimal("100.00"))
    assert (at.total, at.parts[0].zeroed) == (Decimal("60.00"), False)


def test_penalty_indicators_score_the_complement_and_zero_above_their_limit():
    rules = [rule("return", 50, threshold=20), rule("reopen", 50)]
    s = score(rules, 100, Figures(None, rates(returned_orders=1, dispatched_to=10, reopened=3, total=10)), [])
    assert [p.points for p in s.parts] == [Decimal("45.00"), Decimal("35.00")]
    over = score(rules, 100, Figures(None, rates(returned_orders=3, dispatched_to=10, reopened=0, total=10)), [])
    assert [p.points for p in over.parts] == [Decimal("0.00"), Decimal("50.00")]
    assert over.parts[0].zeroed


def test_an_indicator_that_does_not_apply_gives_its_weight_to_the_others():
    rules = [rule("on_time", 30), rule("satisfaction", 20), rule("kb", 50)]
    # no callbacks and no campaign due: only 按期办结率 applies and is worth the whole 100
    s = score(rules, 100, Figures(row(3, 4), rates(callbacks=0), None), [])
    assert [p.applies for p in s.parts] == [True, False, False]
    assert (s.parts[0].share_points, s.total) == (Decimal("100.00"), Decimal("75.00"))
    assert s.parts[1].rate_text == "不适用"


def test_a_figure_this_installation_does_not_provide_is_not_applicable():
    # 协办及时率 reads UnitRates.co_on_time / co_due; without them the indicator is skipped
    s = score([rule("co_handling", 40), rule("sign", 60)], 100, Figures(None, rates(signed=4, signed_on_time=3)), [])
    assert not s.parts[0].applies
    assert s.total == Decimal("75.00")
    with_it = score([rule("co_handling", 40), rule("sign", 60)], 100,
                    Figures(None, SimpleNamespace(**vars(rates(signed=4, signed_on_time=3)), co_on_time=1, co_due=2)), [])
    assert with_it.total == Decimal("65.00")  # 40 × 1/2 + 60 × 3/4


def test_deductions_and_bonuses_apply_to_the_base_and_the_score_never_drops_below_zero():
    rules = [rule("on_time", 100, threshold=90)]
    s = score(rules, 100, Figures(row(95, 100), rates()), [-250, 100, -50])
    assert (s.base, s.deductions, s.bonuses, s.total) == (Decimal("95.00"), Decimal("3.00"), Decimal("1.00"),
                                                          Decimal("93.00"))
    floor = score(rules, 100, Figures(row(1, 100), rates()), [-500])
    assert floor.total == Decimal("0.00")


def test_nothing_applies_means_no_score():
    s = score([rule("satisfaction", 100)], 100, Figures(None, rates(callbacks=0)), [-100])
    assert s.total is None and s.base is None


def test_the_formula_reads_in_plain_chinese():
    text = formula(rule("on_time", 30, 60), {"区县政府": 150, "市直部门": 100})
    assert text.startswith("按期办结率（权重30%，分值：区县政府45分、市直部门30分）")
    assert "低于60%时该项得0分" in text
    assert "高于20%时该项得0分" in formula(rule("return", 5, 20), {"市直部门": 100})
