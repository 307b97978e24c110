"""The one gate every automatic answer passes through."""

from __future__ import annotations

from dataclasses import dataclass

from onboardd.parsers.authresults import check_authentication
from onboardd.parsers.model import ParsedEmail
from onboardd.responders.policy import Policy
from onboardd.responders.view import SenderHistory

# Automatic answers to a sender's own mail, which the gate guards and the global
# budget counts (mail to leads, CORs and the SO is not an answer to the sender).
ANSWER_KINDS = ("acknowledgment", "missing-fields", "help", "status", "award-acknowledgment",
                "solicitation-acknowledgment", "contacts-acknowledgment",
                "contact-change-status", "offboarding-acknowledgment")


@dataclass(frozen=True)
class Verdict:
    """Whether an answer may go out; `held_by` names the rule that held it back when
    staff should hear of it: "sender-limit", "reply-budget" or "failed-authentication"."""

    allowed: bool
    reasons: tuple[str, ...] = ()
    held_by: str = ""

    @property
    def rate_limited(self) -> bool:
        return self.held_by == "sender-limit"


def may_reply(mail: ParsedEmail, policy: Policy, history: SenderHistory) -> Verdict:
    """Whether an automatic answer to `mail` may go out.

    Never to: a machine-written mail (the parser's auto verdict: RFC 3834
    Auto-Submitted, Precedence, list headers, DSNs, null/daemon/no-reply senders, our
    own notice header), a sender who asked for no auto-answer
    (X-Auto-Response-Suppress), a mail with no usable sender, our own addresses, a
    sender whose mail our MTA marked as failing authentication (unless
    trust.answer_failed_authentication), a sender who already got
    `limits.replies_per_sender_hour` answers this hour, or anyone once
    `limits.replies_per_hour` answers went out this hour.
    """
    reasons = list(mail.auto.reasons) if not mail.auto.may_answer else []
    if mail.sender is None:
        reasons.append("no sender address")
    elif policy.is_ours(mail.sender.email):
        reasons.append("sender is one of our own addresses")
    if reasons:
        return Verdict(False, tuple(reasons))
    trust = policy.trust
    if trust.authserv_id and not trust.answer_failed_authentication:
        check = check_authentication(mail, trust.authserv_id)
        if check.failed:
            return Verdict(False, (f"the sender failed authentication ({check.reason})",),
                           held_by="failed-authentication")
    if history.replies_last_hour >= policy.limits.replies_per_sender_hour:
        return Verdict(False, ("sender reached the hourly reply limit",),
                       held_by="sender-limit")
    if history.answers_last_hour >= policy.limits.replies_per_hour:
        return Verdict(False, ("the hourly budget of automatic answers is spent",),
                       held_by="reply-budget")
    return Verdict(True)
