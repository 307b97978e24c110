"""Read approve or deny from the new text of a reply; the rest of the reply is the reason."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Verdict(enum.StrEnum):
    APPROVE = "approve"
    DENY = "deny"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class DecisionReading:
    verdict: Verdict
    reason: str | None
    matched: str = ""


# Negated approvals come first: "not approved" is a denial, and negation always wins.
_DENY = re.compile(
    r"\b(?:(?:do|does|did|can|could|will|would|shall|should)\s*(?:not|n't)\s+approve"
    r"|cannot\s+approve|not\s+(?:be\s+)?approved?|disapproved?|deny|denied|reject(?:ed)?"
    r"|declined?|not\s+ok(?:ay)?\s+to\s+proceed|refused?)\b",
    re.IGNORECASE,
)
_APPROVE = re.compile(
    r"\b(?:approved?|i\s+concur|concur(?:red)?|ok(?:ay)?\s+to\s+proceed|go\s+ahead)\b",
    re.IGNORECASE,
)
# A bare yes or no counts only as the reply's first word, not inside a sentence
# ("no problem" or "yes, but" further down says nothing).
_LEADING_YES = re.compile(r"^\W*(yes|yep|yeah)\b", re.IGNORECASE)
_LEADING_NO = re.compile(
    r"^\W*(no|nope)\b(?!\s+(?:problem|issue|objection|concerns?)s?\b)", re.IGNORECASE
)
_SEPARATORS = " \t-–—:;,.!"


def _first_paragraph(text: str) -> tuple[str, str]:
    lines = text.strip().splitlines()
    head: list[str] = []
    for index, line in enumerate(lines):
        if not line.strip() and head:
            return " ".join(head), "\n".join(lines[index + 1 :]).strip()
        if line.strip():
            head.append(line.strip())
    return " ".join(head), ""


def read_decision(reply_text: str) -> DecisionReading:
    """The decision in the reply's first paragraph; unclear when it holds neither."""
    head, rest = _first_paragraph(reply_text)
    match = _DENY.search(head) or _LEADING_NO.search(head)
    verdict = Verdict.DENY
    if match is None:
        match = _APPROVE.search(head) or _LEADING_YES.search(head)
        verdict = Verdict.APPROVE
    if match is None:
        return DecisionReading(Verdict.UNCLEAR, None)
    if head[: match.start()].strip(_SEPARATORS):
        # The decision sits inside a sentence: that whole sentence is the reason.
        remainder = head.strip()
    else:
        remainder = head[match.end() :].lstrip(_SEPARATORS).rstrip()
    reason = "\n".join(part for part in (remainder, rest) if part) or None
    return DecisionReading(verdict, reason, match.group(0))
