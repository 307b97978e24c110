"""The request's life as an explicit state machine (design §3)."""

from __future__ import annotations

import enum


class State(enum.StrEnum):
    INCOMPLETE = "incomplete"
    AWAITING_COR = "awaiting_cor"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    # An offboarding's own states: its services' leads confirm removal, then it is done.
    AWAITING_REMOVAL = "awaiting_removal"
    OFFBOARDED = "offboarded"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATES


OPEN_STATES = frozenset({State.INCOMPLETE, State.AWAITING_COR, State.AWAITING_APPROVAL,
                         State.AWAITING_REMOVAL})
# The states only an offboarding takes; an access request never enters them.
OFFBOARDING_STATES = frozenset({State.AWAITING_REMOVAL, State.OFFBOARDED})

_CLOSE = frozenset({State.WITHDRAWN})
TRANSITIONS: dict[State, frozenset[State]] = {
    State.INCOMPLETE: frozenset(
        {State.INCOMPLETE, State.AWAITING_COR, State.AWAITING_APPROVAL, State.EXPIRED}
    )
    | _CLOSE,
    State.AWAITING_COR: frozenset({State.AWAITING_COR, State.AWAITING_APPROVAL, State.DENIED})
    | _CLOSE,
    State.AWAITING_APPROVAL: frozenset({State.AWAITING_APPROVAL, State.APPROVED, State.DENIED})
    | _CLOSE,
    State.AWAITING_REMOVAL: frozenset({State.AWAITING_REMOVAL, State.OFFBOARDED}) | _CLOSE,
    State.APPROVED: frozenset({State.APPROVED}),
    State.OFFBOARDED: frozenset({State.OFFBOARDED}),
    State.DENIED: frozenset({State.DENIED}),
    State.EXPIRED: frozenset({State.EXPIRED}),
    State.WITHDRAWN: frozenset({State.WITHDRAWN}),
}


class InvalidTransition(Exception):
    """The workflow asked for a move the state machine does not allow."""


def check_transition(old: State, new: State) -> State:
    if new not in TRANSITIONS[old]:
        raise InvalidTransition(f"{old} -> {new} is not a valid move")
    return new


class Decision(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    REMOVED = "removed"  # an offboarding's service: its lead confirmed the removal
