"""What a unit user may read of a caller: one rule for pages, exports, notifications and circulars.

Unit users never read a confidential order's caller name, mobile or address: the name and mobile are not
shown at all, the address only masked, and the title and content with every quote of them masked
(portal.web.masking). Of other orders they see name and address, and mobiles masked until revealed (an
audited action), also inside the title and content. The centre and operators see everything.
"""
from __future__ import annotations

from portal.web.masking import mask_address, mask_personal

TEXT_FIELDS = ("title", "content")


def for_unit(order, field: str) -> str:
    """The field as a unit user may read it."""
    value = getattr(order, field) or ""
    if order.confidential:
        if field in ("caller_name", "caller_mobile"):
            return ""
        if field == "address":
            return mask_address(value)
        return mask_personal(value, name=order.caller_name, mobile=order.caller_mobile, address=order.address)
    if field in TEXT_FIELDS:
        return mask_personal(value, mobile=order.caller_mobile)
    return value


def quote_for_unit(order, text: str | None) -> str:
    """Any text about the order (an event, a 督办 message) as a unit user may read it."""
    if order.confidential:
        return mask_personal(text, name=order.caller_name, mobile=order.caller_mobile, address=order.address)
    return mask_personal(text, mobile=order.caller_mobile)


def _is_unit_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_unit_user


def quoted(order, text: str | None, user) -> str:
    return quote_for_unit(order, text) if _is_unit_user(user) else (text or "")


def shown(order, field: str, user) -> str:
    """The field as `user` may read it."""
    if _is_unit_user(user):
        return for_unit(order, field)
    return getattr(order, field) or ""


def public_text(order, text: str) -> str:
    """Text about an order for documents every unit reads (a circular's case): the caller never named."""
    return mask_personal(text, name=order.caller_name, mobile=order.caller_mobile,
                         address=order.address if order.confidential else None)
