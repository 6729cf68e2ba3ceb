"""The project's only percentage formatting: half up, whole or one decimal, "—" for nothing."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from portal.stats.formatting import percent_one_decimal, percent_whole


def test_the_seed_figures():
    assert percent_whole(934, 961) == "97%"
    assert percent_whole(32, 55) == "58%"
    assert percent_whole(0, 0) == "—"
    assert percent_one_decimal(138, 961) == "14.4%"
    assert percent_one_decimal(688, 961) == "71.6%"
    assert percent_one_decimal(2, 961) == "0.2%"
    assert percent_one_decimal(5, 0) == "—"


def test_exact_halves_round_up():
    assert percent_whole(1, 8) == "13%"   # 12.5
    assert percent_whole(7, 8) == "88%"   # 87.5
    assert percent_one_decimal(1, 16) == "6.3%"  # 6.25
    assert percent_one_decimal(1, 1) == "100.0%"


counts = st.integers(min_value=0, max_value=10**9)


@given(counts, st.integers(min_value=1, max_value=10**9))
def test_whole_percent_is_floor_of_value_plus_one_half(num, den):
    # Half up in integers: floor(100·num/den + 1/2) = (200·num + den) // (2·den).
    assert percent_whole(num, den) == f"{(200 * num + den) // (2 * den)}%"


@given(counts, st.integers(min_value=1, max_value=10**9))
def test_one_decimal_percent_is_floor_of_tenths_plus_one_half(num, den):
    tenths = (2000 * num + den) // (2 * den)
    assert percent_one_decimal(num, den) == f"{tenths // 10}.{tenths % 10}%"
