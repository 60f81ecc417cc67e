"""Errors raised by the matching engine."""

from __future__ import annotations


class MatchingError(ValueError):
    """The input cannot be matched as given (bad shape, NaN, impossible lock…).

    The message says what is wrong in words an admin can act on; the glue shows it.
    """
