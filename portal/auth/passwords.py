"""Password policy, applied wherever a password is set (change, first login, generated temporary passwords).

At least MIN_LENGTH characters from at least 3 of 4 classes (lower case, upper case, digits, others), not
containing the username, not one of the 30,000 most common passwords (the list zxcvbn ships, from public
leaks), and not guessable by pattern (keyboard walks, dates, repeated words): zxcvbn's score ≥ 3.
"""
from __future__ import annotations

from functools import lru_cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 10
MAX_LENGTH = 200
MIN_SCORE = 3


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def _classes(password: str) -> int:
    return sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))


def password_problem(password: str, username: str = "") -> str | None:
    """The Chinese reason a password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位。"
    if len(password) > MAX_LENGTH:
        return f"密码不超过 {MAX_LENGTH} 位。"
    if _classes(password) < 3:
        return "密码须包含小写字母、大写字母、数字、符号中的至少三类。"
    name = (username or "").strip().lower()
    if len(name) >= 3 and name in password.lower():
        return "密码不能包含用户名。"
    if password.lower() in common_passwords():
        return "该密码是常见密码，容易被猜中，请换一个。"
    # zxcvbn is slow on very long input and gains nothing there; 64 characters are plenty to judge.
    if zxcvbn(password[:64], user_inputs=[name] if name else [])["score"] < MIN_SCORE:
        return "密码过于简单或有规律（如常见单词、键盘连续字符、日期、重复内容），请换一个。"
    return None
