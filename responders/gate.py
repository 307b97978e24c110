"""The one gate every automatic answer passes through."""

from __future__ import annotations

from dataclasses import dataclass

from onboardd.parsers.model import ParsedEmail
from onboardd.responders.policy import Policy
from onboardd.responders.view import SenderHistory


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reasons: tuple[str, ...] = ()
    rate_limited: bool = False


def may_reply(mail: ParsedEmail, policy: Policy, history: SenderHistory) -> Verdict:
    """Whether an automatic answer to `mail` may go out.

    Never to: a machine-written mail (the parser's auto verdict: RFC 3834
    Auto-Submitted, Precedence, list headers, DSNs, null/daemon/no-reply senders, our
    own notice header), a sender who asked for no auto-answer
    (X-Auto-Response-Suppress), a mail with no usable sender, our own addresses, or a
    sender who already got `limits.replies_per_sender_hour` answers this hour.
    """
    reasons = list(mail.auto.reasons) if not mail.auto.may_answer else []
    if mail.sender is None:
        reasons.append("no sender address")
    elif policy.is_ours(mail.sender.email):
        reasons.append("sender is one of our own addresses")
    if reasons:
        return Verdict(False, tuple(reasons))
    if history.replies_last_hour >= policy.limits.replies_per_sender_hour:
        return Verdict(False, ("sender reached the hourly reply limit",), rate_limited=True)
    return Verdict(True)
