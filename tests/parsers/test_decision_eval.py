"""The decision reader on the labelled approver replies (evaluation/replies/): the set
itself, the yardstick, and the promise that no reply is ever read as an approval it is not."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from evaluation import decisions, make_replies, probe
from onboardd.parsers.decision import DecisionReading, Verdict, read_decision


def test_the_set_is_large_and_covers_every_client() -> None:
    cases = decisions.cases()
    assert len(cases) >= 170
    assert {c.client for c in cases} >= {
        "plain", "outlook", "outlook-html", "outlook-original", "outlook-android",
        "outlook-cp1252", "gmail", "apple", "iphone", "thunderbird", "html-only"}
    verdicts = Counter(c.expect for c in cases)
    assert all(verdicts[v] >= 50 for v in Verdict), verdicts
    assert sum(1 for c in cases if c.reason) >= 40
    assert all((make_replies.FOLDER / c.file).is_file() for c in cases)


def test_every_refusal_form_of_the_issue_is_in_the_set() -> None:
    words = {e.words for e in make_replies.entries() if e.expect == "deny"}
    for form in ("I can't approve this.", "I can\u2019t approve this.",
                 "I don\u2019t approve this request.", "I won't approve this.",
                 "Approve? No.", "Approved - NOT", "Unable to approve at this time.",
                 "Not at this time, they need to finish training first"):
        assert form in words, form


def test_the_files_on_disk_are_the_ones_the_generator_writes(tmp_path: Path) -> None:
    make_replies.main(tmp_path, make_replies.EXPECTED)
    for entry in make_replies.entries():
        if entry.words is not None:
            written = (tmp_path / entry.file).read_bytes()
            assert written == (make_replies.FOLDER / entry.file).read_bytes(), entry.file


def test_no_reply_is_read_as_an_approval_it_is_not() -> None:
    found = decisions.results()
    assert [(r.case.file, r.reply_text) for r in decisions.false_approvals(found)] == []
    assert decisions.counts(found)["false_approvals"] == 0


def test_approvals_and_refusals_are_read_and_reasons_kept() -> None:
    figures = decisions.counts()
    for verdict in ("approve", "deny"):
        truly = sum(figures[f"{verdict}->{read}"] for read in ("approve", "deny", "unclear"))
        assert figures[f"{verdict}->{verdict}"] / truly >= 0.95, verdict
    assert figures["reasons_kept"] / figures["reasons_expected"] >= 0.95


def test_the_reading_is_taken_from_the_new_words_only() -> None:
    """Every reply quotes our request, which says both 'Approve' and 'Deny'; a reader
    that looked at the quote would read the same thing from every mail."""
    found = decisions.results()
    assert all("followed by the reason" not in r.reply_text for r in found)
    assert len({r.reading.verdict for r in found}) == 3


def test_the_yardstick_counts_a_false_approval_and_a_lost_reason() -> None:
    found = decisions.results()
    deny = next(r for r in found if r.case.expect is Verdict.DENY and r.case.reason)
    wrong = dataclasses.replace(deny, reading=DecisionReading(Verdict.APPROVE, None))
    lost = dataclasses.replace(deny, reading=DecisionReading(Verdict.DENY, "budget"))
    figures = decisions.counts([wrong, lost])
    assert figures["false_approvals"] == 1
    assert figures["deny->approve"] == figures["deny->deny"] == 1
    assert (figures["reasons_expected"], figures["reasons_kept"]) == (2, 0)
    report = decisions.report([wrong, lost])
    assert "false approvals: 1" in report
    assert f"{deny.case.file} " in report


@pytest.mark.parametrize(
    "words", [e.words for e in make_replies.entries() if e.expect != "approve" and e.words])
def test_words_that_do_not_approve_never_approve_without_their_mail(words: str) -> None:
    """The same words read bare, with no client layout or quote to trim away."""
    assert read_decision(words).verdict is not Verdict.APPROVE


@pytest.mark.parametrize("folder", probe.PROBES, ids=lambda folder: folder.name)
def test_no_reply_of_a_held_out_probe_is_read_as_an_approval_it_is_not(folder: Path) -> None:
    found = decisions.results(probe.replies(folder))
    assert len(found) >= 150
    assert [(r.case.file, r.reply_text) for r in decisions.false_approvals(found)] == []


@pytest.mark.parametrize("folder", probe.PROBES, ids=lambda folder: folder.name)
def test_a_probes_reply_files_are_the_ones_its_list_writes(folder: Path, tmp_path: Path) -> None:
    expected = probe.replies(folder) / make_replies.EXPECTED.name
    make_replies.main(tmp_path, expected, probe.APPROVER)
    for entry in make_replies.entries(expected):
        written = (tmp_path / entry.file).read_bytes()
        assert written == (probe.replies(folder) / entry.file).read_bytes(), entry.file
