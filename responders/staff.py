"""What the onboarding staff do to a request by hand, held to the workflow's own rules.

Each action gives an Outcome the daemon records like a mail's: the request after it,
an audit entry naming the staff member and their reason, and the mails that follow
(a COR approval given by phone asks the leads exactly as the COR's confirming reply
would). A refused action is an Outcome too, so the refusal is in the request's history.
"""

from __future__ import annotations

import dataclasses

from onboardd.parsers.model import CorEvidence, CorStatus
from onboardd.responders.assess import assess, is_complete
from onboardd.responders.letters import entry_mails
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from onboardd.responders.state import Decision, State, check_transition
from onboardd.responders.view import AuditEntry, Outcome, RequestView


class StaffActionError(Exception):
    """The request's state or facts do not allow what was asked; `outcome` records the
    refusal in its history."""

    def __init__(self, message: str, outcome: Outcome) -> None:
        super().__init__(message)
        self.outcome = outcome


# Where staff may put a request back to, from where it is. Only moves a person can have
# a reason for: a closed request reopened (withdrawn, expired or denied by mistake), a
# waiting one sent back a step (the COR's confirmation or the facts turned out wrong).
# An approved request stays approved: its welcome package is out.
REOPEN: dict[State, frozenset[State]] = {
    State.WITHDRAWN: frozenset({State.INCOMPLETE, State.AWAITING_COR, State.AWAITING_APPROVAL}),
    State.EXPIRED: frozenset({State.INCOMPLETE, State.AWAITING_COR, State.AWAITING_APPROVAL}),
    State.DENIED: frozenset({State.AWAITING_COR, State.AWAITING_APPROVAL}),
    State.AWAITING_APPROVAL: frozenset({State.INCOMPLETE, State.AWAITING_COR}),
    State.AWAITING_COR: frozenset({State.INCOMPLETE}),
    State.INCOMPLETE: frozenset(),
    State.APPROVED: frozenset(),
}


def refusal(view: RequestView, by: str, action: str, message: str, **detail: str) -> Outcome:
    """The audit entry of a staff action that was not done, and why."""
    event = AuditEntry(
        "staff-action-refused", by, {"action": action, "reason": message, **detail}
    )
    return Outcome("staff-action-refused", request=view, events=(event,))


def _refuse(view: RequestView, by: str, action: str, message: str, **detail: str) -> None:
    raise StaffActionError(message, refusal(view, by, action, message, **detail))


def _access_only(view: RequestView, by: str, action: str) -> None:
    """A contact change is decided by its COR's mail (responders/contact_changes.py), an
    offboarding by its leads' (responders/offboarding.py), and neither is reopened: a new
    one is opened by mail. Staff may withdraw either."""
    if view.kind != "access":
        who = "its COR answers" if view.kind == "contact-change" else "its leads answer"
        _refuse(view, by, action, f"{view.reference} is a {view.kind} request: {who} "
                "by mail; staff may only withdraw it")


def confirm_cor(
    view: RequestView,
    *,
    by: str,
    reason: str,
    waive: bool,
    policy: Policy,
    renderer: Renderer,
) -> Outcome:
    """The COR's approval confirmed to staff outside mail (phone, portal), or waived by
    staff: the request goes on to the leads as after the COR's confirming reply."""
    action = "cor-waived" if waive else "cor-confirmed"
    _access_only(view, by, action)
    if view.state is not State.AWAITING_COR:
        _refuse(view, by, action, f"{view.reference} is {view.state}; a COR approval is "
                "confirmed only while the request is awaiting_cor")
    cor = view.cor if waive else CorEvidence(
        CorStatus.VERIFIED, view.cor.address, view.cor.name, f"confirmed to {by}"
    )
    after = dataclasses.replace(
        view, state=check_transition(view.state, State.AWAITING_APPROVAL), cor=cor
    )
    event = AuditEntry(action, by, {"reason": reason, "via": "staff"})
    return Outcome(action, after, events=(event,),
                   outgoing=entry_mails(after, policy, renderer))


def withdraw(view: RequestView, *, by: str, reason: str) -> Outcome:
    """Close an open request at staff's word (the requester asked by phone, a duplicate)."""
    if not view.state.is_open:
        _refuse(view, by, "withdraw", f"{view.reference} is {view.state} already; only an "
                "open request can be withdrawn")
    after = dataclasses.replace(view, state=check_transition(view.state, State.WITHDRAWN))
    event = AuditEntry("withdrawn", by, {"reason": reason, "via": "staff"})
    return Outcome("withdrawn", after, events=(event,))


def reopen(
    view: RequestView,
    target: State,
    *,
    by: str,
    reason: str,
    policy: Policy,
    renderer: Renderer,
) -> Outcome:
    """Put a request back to `target` along REOPEN. A request sent to the COR or the leads
    asks them again (new tokens: the old ones were spent or may have expired); services
    decided before going back to a waiting state are pending again."""
    _access_only(view, by, "reopen")
    allowed = REOPEN[view.state]
    if target not in allowed:
        choices = ", ".join(sorted(allowed)) or "nowhere"
        _refuse(view, by, "reopen", f"{view.reference} is {view.state}; staff may put it "
                f"back to {choices}, not {target}", state=str(target))
    if target is not State.INCOMPLETE and not is_complete(assess(view)):
        _refuse(view, by, "reopen", f"{view.reference} lacks facts for {target}; put it "
                "back to incomplete and the requester's next mail completes it",
                state=str(target))
    if target is State.AWAITING_COR and not view.cor.address:
        _refuse(view, by, "reopen", f"{view.reference} names no COR address to ask; "
                "use requests confirm-cor once the approval is known", state=str(target))
    services = view.services
    if target in {State.AWAITING_COR, State.AWAITING_APPROVAL}:
        services = tuple(dataclasses.replace(s, decision=Decision.PENDING, decided_by=None,
                                             decided_at=None, reason=None) for s in services)
    cor = view.cor
    if target is State.AWAITING_COR and cor.status is CorStatus.VERIFIED:
        cor = dataclasses.replace(cor, status=CorStatus.STATED)
    after = dataclasses.replace(view, state=target, services=services, cor=cor)
    undone = [f"{s.service} {s.decision}" for s in view.services
              if s.decision is not Decision.PENDING] if services != view.services else []
    detail = {"from": str(view.state), "to": str(target), "reason": reason, "via": "staff"}
    if undone:
        detail["decisions_undone"] = ", ".join(undone)
    event = AuditEntry("reopened", by, detail)
    return Outcome("reopened", after, events=(event,),
                   outgoing=entry_mails(after, policy, renderer))
