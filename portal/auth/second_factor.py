"""The second factor: TOTP codes (RFC 6238, pyotp) from an authenticator app, one-time recovery codes, and
who must use it.

A code is accepted from the previous, current or next 30-second step (clocks drift), and never twice: the
step of the last accepted code is stored and only a later step passes, set by one conditional UPDATE so two
requests racing with the same code cannot both pass. Recovery codes are stored as Argon2 hashes, shown once,
and consumed by use the same way.
"""
from __future__ import annotations

import hmac
import re
import secrets
import time
from datetime import datetime, timezone

import pyotp
import segno
from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.auth.models import RecoveryCode, SecurityPolicy, User, _hasher
from portal.auth.roles import SECOND_FACTOR_ROLES
from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db

ISSUER = "12345工作门户"
RECOVERY_CODES = 10
# No look-alikes (0/o, 1/l/i): recovery codes are copied on paper.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_CODE_RE = re.compile(r"^\d{6}$")


def policy() -> SecurityPolicy:
    """The security settings (defaults when never saved)."""
    return db.session.get(SecurityPolicy, 1) or SecurityPolicy(id=1, second_factor_for_all=False)


def required_for(user: User) -> bool:
    """Administrators and centre staff always; a unit's people when their unit requires it; everyone when set."""
    if user.roles & SECOND_FACTOR_ROLES:
        return True
    if user.unit is not None and user.unit.second_factor_required:
        return True
    return policy().second_factor_for_all


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The enrolment QR code as an inline SVG data URI (drawn here: no external service, works offline)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def spaced(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step (previous, current or next) whose code this is, or None."""
    code = _clean(code)
    if not _CODE_RE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(_when(at))
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _when(at: float | None) -> datetime:
    return datetime.fromtimestamp(time.time() if at is None else at, tz=timezone.utc)


def _claim_step(user: User, step: int) -> bool:
    """Store `step` as the user's last used one unless it (or a later one) was used already."""
    result = db.session.execute(
        update(User).where(User.id == user.id, (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def check_code(user: User, code: str, at: float | None = None) -> bool:
    """A code of the user's own secret, not used before; accepting it uses it up."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, at)
    return step is not None and _claim_step(user, step)


def use_recovery_code(user: User, code: str) -> bool:
    """An unused recovery code of the user's; accepting it consumes it."""
    cleaned = _clean(code)
    if len(cleaned) != 10:
        return False
    unused = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                           RecoveryCode.used_at.is_(None)).order_by(RecoveryCode.id))
    for row in unused:
        if row.matches(cleaned):
            result = db.session.execute(
                update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=now()).execution_options(synchronize_session=False))
            db.session.flush()
            return result.rowcount == 1
    return False


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                                RecoveryCode.used_at.is_(None))).all())


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; return the new ones (shown once, stored hashed)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hasher.hash(c)) for c in codes)
    db.session.flush()
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def enrol(user: User, secret: str, code: str, at: float | None = None) -> list[str] | None:
    """Confirm enrolment with a code of the new secret; return the recovery codes, None when the code is wrong."""
    step = matching_step(secret, code, at)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_enabled_at = now()
    user.totp_last_step = step
    db.session.flush()
    return new_recovery_codes(user)


def remove(user: User) -> None:
    """Forget the user's second factor and recovery codes (a reset or the user's own choice)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def reset(user: User, *, detail: str, actor=None) -> None:
    """Forget someone else's second factor (a lost phone): they enrol again at their next login, their sessions
    end, and the audit log keeps who did it."""
    from portal.audit.services import record
    from portal.auth.accounts import end_sessions

    if not user.has_second_factor:
        raise RuleViolation(f"“{user.username}”尚未绑定两步验证，无需重置。")
    remove(user)
    end_sessions(user)
    db.session.flush()
    record("second_factor.reset", actor=actor, object_type="user", object_id=user.id, detail=detail)
