"""The only percentage formatting in the project: rounded half up, "—" when nothing to divide by."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

DASH = "—"


def _percent(num: int, den: int, places: Decimal) -> str:
    if not den:
        return DASH
    with localcontext() as ctx:
        ctx.prec = 60  # exact enough for any count: .5 boundaries are never blurred
        value = (Decimal(num) * 100 / Decimal(den)).quantize(places, rounding=ROUND_HALF_UP)
    return f"{value}%"


def percent_whole(num: int, den: int) -> str:
    """934/961 → "97%", 32/55 → "58%"; "—" when den is 0."""
    return _percent(num, den, Decimal(1))


def percent_one_decimal(num: int, den: int) -> str:
    """138/961 → "14.4%"; "—" when den is 0."""
    return _percent(num, den, Decimal("0.1"))
