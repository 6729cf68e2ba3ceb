"""Masking of a caller's identity: one set of functions every page, export, notification and circular uses.

`mask_personal(text, name=, mobile=, address=)` hides the caller's name, mobile and address wherever the text
quotes them, and any mobile-like number (11 digits from 1[3-9]) besides, so a unit user never reads them in
an order's title or content, a notification, or a circular's case text.
"""
from __future__ import annotations

import re

_MOBILE_LIKE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_mobile(value: str | None) -> str:
    """138****1234 for an 11-digit mobile; other numbers keep only their last 4 digits."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) == 11 and digits.isdigit():
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "****"


def mask_name(value: str | None) -> str:
    """王** : the family name only (a two-character name becomes 王*)."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[0] + "*" * max(1, min(len(value) - 1, 3))


def mask_address(value: str | None) -> str:
    """The first 6 characters (district, street), the rest starred: enough to route, not to find the door."""
    value = (value or "").strip()
    if not value:
        return ""
    keep = min(6, max(1, len(value) // 2))
    return value[:keep] + "****"


def mask_personal(text: str | None, *, name: str | None = None, mobile: str | None = None,
                  address: str | None = None) -> str:
    """The text with the caller's name, mobile and address (and any mobile-like number) masked."""
    text = text or ""
    for value, masked in ((address, mask_address(address)), (mobile, mask_mobile(mobile)), (name, mask_name(name))):
        value = (value or "").strip()
        if len(value) >= 2:
            text = text.replace(value, masked)
    return _MOBILE_LIKE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
