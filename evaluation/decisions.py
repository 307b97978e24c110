"""Score the decision reader on the labelled approver replies in `replies/`.

Each mail file is parsed with the daemon's own parser and read exactly as
responders/approvals.py reads a lead's or a COR's answer (`decision_in(mail, view)`, the
view being the request every reply answers). A false approval is a reply read as approve whose
truth is deny or unclear; the product must have none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from evaluation.mailforms import WHEN
from evaluation.make_replies import EXPECTED, FOLDER, entries
from onboardd.parsers.decision import DecisionReading, Verdict
from onboardd.parsers.message import parse_message
from onboardd.parsers.model import Address
from onboardd.responders.approvals import decision_in
from onboardd.responders.state import State
from onboardd.responders.view import RequestView, ServiceDecision

ORDER = (Verdict.APPROVE, Verdict.DENY, Verdict.UNCLEAR)


@dataclass(frozen=True)
class Case:
    file: str
    expect: Verdict
    client: str
    reason: str | None


@dataclass(frozen=True)
class Result:
    case: Case
    reading: DecisionReading
    reply_text: str

    @property
    def right(self) -> bool:
        return self.reading.verdict is self.case.expect

    @property
    def reason_kept(self) -> bool:
        """A denial's expected reason phrase is in the reason read (case aside); a
        denial read as anything else kept no reason."""
        if self.case.reason is None:
            return True
        return (self.reading.verdict is Verdict.DENY
                and self.case.reason.lower() in (self.reading.reason or "").lower())


# The request every reply answers (evaluation/make_replies.py's REQUEST, quoted in each).
ANSWERED = RequestView(
    reference="ONB-2026-0042", state=State.AWAITING_APPROVAL,
    requester=Address("Jane Doe", "jane.doe@acmehealth.example.com"), created_at=WHEN,
    organization="Acme Health Solutions", user_count=40, services=(ServiceDecision("Jira"),))


def cases(expected: Path = EXPECTED) -> list[Case]:
    return [Case(e.file, Verdict(e.expect), e.client, e.reason) for e in entries(expected)]


def read(case: Case, folder: Path = FOLDER) -> Result:
    mail = parse_message((folder / case.file).read_bytes())
    return Result(case, decision_in(mail, ANSWERED), mail.reply_text)


def results(folder: Path = FOLDER) -> list[Result]:
    return [read(case, folder) for case in cases(folder / EXPECTED.name)]


def counts(found: list[Result] | None = None) -> dict[str, int]:
    """The figures a test checks: replies, right readings, false approvals, per-cell
    counts as 'truth->reading', and denial reasons kept of those expected."""
    found = results() if found is None else found
    matrix = confusion(found)
    figures = {f"{t.value}->{r.value}": matrix[(t, r)] for t in ORDER for r in ORDER}
    figures.update(
        replies=len(found),
        right=sum(r.right for r in found),
        false_approvals=len(false_approvals(found)),
        reasons_expected=sum(1 for r in found if r.case.reason),
        reasons_kept=sum(1 for r in found if r.case.reason and r.reason_kept),
    )
    return figures


def confusion(found: list[Result]) -> Counter[tuple[Verdict, Verdict]]:
    """(truth, reading) -> how many."""
    return Counter((r.case.expect, r.reading.verdict) for r in found)


def false_approvals(found: list[Result]) -> list[Result]:
    return [r for r in found
            if r.reading.verdict is Verdict.APPROVE and r.case.expect is not Verdict.APPROVE]


def report(found: list[Result] | None = None, folder: Path = FOLDER) -> str:
    """The confusion matrix, per-class precision and recall, and every misread."""
    found = results(folder) if found is None else found
    matrix = confusion(found)
    shown = folder.relative_to(FOLDER.parent.parent)
    lines = [f"Decisions: {len(found)} approver replies ({shown}/)",
             "", "truth \\ read   " + "".join(f"{v.value:>9}" for v in ORDER)]
    for truth in ORDER:
        lines.append(f"{truth.value:<15}" + "".join(f"{matrix[(truth, v)]:>9}" for v in ORDER))
    lines.append("")
    for verdict in ORDER:
        read_as = sum(matrix[(t, verdict)] for t in ORDER)
        truly = sum(matrix[(verdict, v)] for v in ORDER)
        hit = matrix[(verdict, verdict)]
        lines.append(f"{verdict.value:<8} precision {_ratio(hit, read_as)}  "
                     f"recall {_ratio(hit, truly)}")
    lines.append(f"false approvals: {len(false_approvals(found))}")
    lines.append(f"denial reasons kept: {sum(r.reason_kept for r in found if r.case.reason)}"
                 f" of {sum(1 for r in found if r.case.reason)}")
    misses = [r for r in found if not r.right or not r.reason_kept]
    if misses:
        lines.append("")
        lines.append("misread:")
        for r in misses:
            lines.append(f"  {r.case.file} {r.reply_text!r}: expected "
                         f"{r.case.expect.value}, read {r.reading.verdict.value}"
                         f" ({r.reading.rule or 'no rule'}); reason {r.reading.reason!r}")
    return "\n".join(lines)


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:6.1%}" if whole else "   n/a"
