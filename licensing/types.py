"""Types that every layer shares, each spelled once (as Starlette keeps its aliases in one `types.py`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class HoldState(StrEnum):
    """How many of the selected users hold a product."""

    ALL = "all"
    SOME = "some"
    NONE = "none"

    @classmethod
    def of(cls, holders: int, selected: int) -> HoldState:
        return cls.NONE if holders == 0 else cls.ALL if holders == selected else cls.SOME


class Desired(StrEnum):
    """What an operator wants for one product across the selected users: the values of Manage licenses' radios."""

    ASSIGN = "assign"
    KEEP = "keep"
    REVOKE = "revoke"

    @classmethod
    def matching(cls, state: HoldState) -> Desired:
        """The choice that describes where the selection stands today, so that saving it changes nothing."""
        return {HoldState.ALL: cls.ASSIGN, HoldState.SOME: cls.KEEP, HoldState.NONE: cls.REVOKE}[state]


class Switch(StrEnum):
    """What an operator wants for one service across the selected holders: Services' radios."""

    ON = "on"
    KEEP = "keep"
    OFF = "off"

    @classmethod
    def matching(cls, state: HoldState) -> Switch:
        """The choice that describes where the holders stand today, so that saving it changes nothing."""
        return {HoldState.ALL: cls.ON, HoldState.SOME: cls.KEEP, HoldState.NONE: cls.OFF}[state]
