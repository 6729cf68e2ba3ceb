"""Errors that services raise; the web layer turns them into Chinese messages."""
from __future__ import annotations


class RuleViolation(Exception):
    """An action the rules do not allow now (shown to the user, HTTP 422)."""

    status = 422

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Conflict(RuleViolation):
    """Someone else changed the record first (HTTP 409)."""

    status = 409
