"""The centre's clock: naive datetimes in Asia/Shanghai wall time (China has no DST)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Return the current Asia/Shanghai wall time, naive, to the second."""
    return datetime.now(TZ).replace(tzinfo=None, microsecond=0)

