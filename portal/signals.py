"""Signals between layers: a lower layer announces, a feature above listens (no import upwards)."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# A logged-in user was refused (403, or 404 for another unit's record); sent with status=.
access_denied = _signals.signal("access-denied")
