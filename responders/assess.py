"""Which of the five request facts a request has, and what is missing or wrong."""

from __future__ import annotations

from dataclasses import dataclass

from onboardd.parsers.authresults import check_authentication
from onboardd.parsers.model import CorEvidence, CorStatus, ParsedEmail
from onboardd.responders.policy import Policy
from onboardd.responders.view import RequestView

# The labels of the team's published request form, word for word: the notice asks in
# the words the contractor will copy from the onboarding page.
LABELS = {
    "organization": "Name of Organization (HARP Organization Name Preferred)",
    "services": "Name of QualityNet IT Service",
    "justification": "Business Justification for Use of Service",
    "user_count": "Estimated Number of Users",
    "cor_approval": "COR Approval",
}

_COR_RANK = {
    CorStatus.MISSING: 0,
    CorStatus.STATED: 1,
    CorStatus.FORWARDED: 2,
    CorStatus.VERIFIED: 3,
}


@dataclass(frozen=True)
class FieldReport:
    """One fact as we read it: its value, and the problem with it if any."""

    key: str
    label: str
    value: str | None
    problem: str | None = None


def effective_cor(evidence: CorEvidence, mail: ParsedEmail, policy: Policy) -> CorEvidence:
    """The evidence after policy: who counts as a COR, and whether the sender is proven."""
    directory = policy.cor_directory()
    if evidence.status is CorStatus.VERIFIED and policy.trust.authserv_id:
        auth = check_authentication(mail, policy.trust.authserv_id)
        if not auth.passed:
            return CorEvidence(
                CorStatus.STATED,
                evidence.address,
                evidence.name,
                f"COR mail not authenticated: {auth.reason}",
            )
    if evidence.status in (CorStatus.STATED, CorStatus.FORWARDED):
        if evidence.address is None:
            return CorEvidence(CorStatus.MISSING, None, evidence.name, "no COR address given")
        if not directory.is_cor(evidence.address):
            return CorEvidence(
                CorStatus.MISSING, evidence.address, evidence.name, "not a recognised COR address"
            )
    return evidence


def stronger_cor(old: CorEvidence, new: CorEvidence) -> CorEvidence:
    return (
        new
        if _COR_RANK[new.status] >= _COR_RANK[old.status] and new.status is not CorStatus.MISSING
        else old
    )


def assess(view: RequestView) -> tuple[FieldReport, ...]:
    reports = [
        FieldReport(
            "organization",
            LABELS["organization"],
            view.organization,
            None if view.organization else "missing",
        ),
        _services(view),
        FieldReport(
            "justification",
            LABELS["justification"],
            view.justification,
            None if view.justification else "missing",
        ),
        _user_count(view),
        _cor(view),
    ]
    return tuple(reports)


def is_complete(reports: tuple[FieldReport, ...]) -> bool:
    return all(report.problem is None for report in reports)


def _services(view: RequestView) -> FieldReport:
    value = ", ".join(view.service_names + view.unknown_services) or None
    if view.unknown_services:
        unknown = ", ".join(f'"{name}"' for name in view.unknown_services)
        problem = f"not in our service catalog: {unknown}"
    elif not view.services:
        problem = "missing"
    else:
        problem = None
    return FieldReport("services", LABELS["services"], value, problem)


def _user_count(view: RequestView) -> FieldReport:
    if view.user_count is not None:
        return FieldReport("user_count", LABELS["user_count"], str(view.user_count))
    if view.user_count_invalid:
        return FieldReport(
            "user_count",
            LABELS["user_count"],
            view.user_count_invalid,
            "not a positive whole number",
        )
    return FieldReport("user_count", LABELS["user_count"], None, "missing")


def _cor(view: RequestView) -> FieldReport:
    cor = view.cor
    who = cor.name or cor.address
    if cor.status is CorStatus.MISSING:
        problem = "missing" + (f" ({cor.detail})" if cor.detail else "")
        return FieldReport("cor_approval", LABELS["cor_approval"], who, problem)
    described = {
        CorStatus.VERIFIED: "approved by the COR in person",
        CorStatus.FORWARDED: "forwarded approval from the COR",
        CorStatus.STATED: "stated in the request",
    }[cor.status]
    value = f"{described}: {who}" if who else described
    return FieldReport("cor_approval", LABELS["cor_approval"], value)
