"""Score the decision reader on the labelled approver replies of `replies.toml`.

Each reply is laid out as its client would send it (evaluation/mailforms.py), parsed
with the daemon's own parser, and read from its trimmed text exactly as
responders/approvals.py reads a lead's or a COR's answer. A false approval is a reply
read as approve whose truth is deny or unclear; the product must have none.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from evaluation.mailforms import reply_bytes
from onboardd.parsers.decision import DecisionReading, Verdict, read_decision
from onboardd.parsers.message import parse_message

REPLIES = Path(__file__).with_name("replies.toml")
LEAD = "Pat Lee <pat.lee@cms.example.gov>"
SUBJECT = "RE: [ONB-2026-0042] Approval needed: Jira for Acme Health Solutions"
REQUEST = ("Hello,\n\nAcme Health Solutions asks for Jira for 40 users.\n"
           "Reply Approve, or Deny with a reason, on the first line.\n\n"
           "Onboarding Services")
ORDER = (Verdict.APPROVE, Verdict.DENY, Verdict.UNCLEAR)


@dataclass(frozen=True)
class Case:
    number: int
    text: str
    expect: Verdict
    client: str
    reason: str | None
    quoted: str


@dataclass(frozen=True)
class Result:
    case: Case
    reading: DecisionReading

    @property
    def right(self) -> bool:
        return self.reading.verdict is self.case.expect

    @property
    def reason_kept(self) -> bool:
        """A denial's expected reason phrase is in the reason read (case aside)."""
        if self.case.reason is None or self.reading.verdict is not Verdict.DENY:
            return True
        return self.case.reason.lower() in (self.reading.reason or "").lower()


def cases() -> list[Case]:
    entries = tomllib.loads(REPLIES.read_text(encoding="utf-8"))["reply"]
    return [Case(n, e["text"], Verdict(e["expect"]), e["client"], e.get("reason"),
                 e.get("quoted", REQUEST)) for n, e in enumerate(entries, start=1)]


def read(case: Case) -> Result:
    raw = reply_bytes(LEAD, SUBJECT, case.text, case.quoted, case.client)
    return Result(case, read_decision(parse_message(raw).reply_text))


def results() -> list[Result]:
    return [read(case) for case in cases()]


def confusion(found: list[Result]) -> Counter[tuple[Verdict, Verdict]]:
    """(truth, reading) -> how many."""
    return Counter((r.case.expect, r.reading.verdict) for r in found)


def false_approvals(found: list[Result]) -> list[Result]:
    return [r for r in found
            if r.reading.verdict is Verdict.APPROVE and r.case.expect is not Verdict.APPROVE]


def report() -> str:
    found = results()
    matrix = confusion(found)
    lines = [f"Decisions: {len(found)} approver replies (evaluation/replies.toml)",
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
            lines.append(f"  #{r.case.number} [{r.case.client}] {r.case.text!r}: expected "
                         f"{r.case.expect.value}, read {r.reading.verdict.value}"
                         f" ({r.reading.rule or 'no rule'}); reason {r.reading.reason!r}")
    return "\n".join(lines)


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:6.1%}" if whole else "   n/a"
