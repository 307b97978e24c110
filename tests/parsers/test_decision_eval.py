"""The decision reader on the labelled approver replies: no false approval, ever."""

from __future__ import annotations

from evaluation import decisions
from onboardd.parsers.decision import Verdict


def test_the_set_is_large_and_covers_every_client() -> None:
    cases = decisions.cases()
    assert len(cases) >= 150
    assert {c.client for c in cases} >= {"outlook", "outlook-html", "gmail", "apple",
                                        "iphone", "thunderbird", "html-only", "plain"}
    assert all(sum(c.expect is v for c in cases) >= 40 for v in Verdict)


def test_no_reply_is_read_as_an_approval_it_is_not() -> None:
    found = decisions.results()
    assert [r.case.text for r in decisions.false_approvals(found)] == []


def test_approvals_and_refusals_are_read_and_reasons_kept() -> None:
    found = decisions.results()
    matrix = decisions.confusion(found)
    for verdict in (Verdict.APPROVE, Verdict.DENY):
        truly = sum(matrix[(verdict, v)] for v in Verdict)
        assert matrix[(verdict, verdict)] / truly >= 0.95, verdict
    with_reason = [r for r in found if r.case.reason]
    assert sum(r.reason_kept for r in with_reason) / len(with_reason) >= 0.95
