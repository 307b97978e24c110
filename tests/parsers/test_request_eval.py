"""The fact reader on the labelled request mails (evaluation/requests/): the set itself,
the yardstick that scores it, and the floors the README promises."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evaluation import make_requests, requests
from onboardd.parsers.model import CorEvidence, CorStatus, RequestFacts


def test_the_set_is_large_and_varied() -> None:
    expected = requests.expected()
    assert len(expected) >= 320
    assert sum(e.published_form for e in expected) >= 40
    kinds = Counter(e.kind for e in expected)
    for kind in ("published", "wording", "missing", "from-cor", "cor-on-cc", "forward",
                 "forward-not-cor", "forward-no-approval", "prose", "notice-reply"):
        assert kinds[kind] >= 8, kind
    clients = {e.client for e in expected if e.kind == "published"}
    assert clients >= {"outlook", "gmail", "apple", "thunderbird", "iphone", "html-only"}
    forwards = {e.client for e in expected if e.kind == "forward"}
    assert forwards >= {"outlook-text", "outlook-html", "gmail", "apple", "thunderbird",
                        "iphone", "rfc822"}


def test_every_fact_is_absent_from_some_mails_so_precision_is_measured() -> None:
    expected = requests.expected()
    assert sum(e.organization is None for e in expected) >= 15
    assert sum(not e.services for e in expected) >= 15
    assert sum(e.justification is None for e in expected) >= 15
    assert sum(e.user_count is None for e in expected) >= 15
    assert sum(e.cor_status is CorStatus.MISSING for e in expected) >= 15


def test_the_set_on_disk_is_the_one_the_generator_writes(tmp_path: Path) -> None:
    pytest.importorskip("docx")
    pytest.importorskip("pypdf")
    make_requests.main(tmp_path / "requests")
    written = sorted(p.name for p in (tmp_path / "requests").iterdir())
    assert written == sorted(p.name for p in requests.FOLDER.iterdir())
    for name in written:
        assert (tmp_path / "requests" / name).read_bytes() \
            == (requests.FOLDER / name).read_bytes(), name


def _truth(**facts: object) -> requests.Expected:
    values: dict[str, object] = {
        "file": "x.eml", "kind": "wording", "client": "plain", "layout": "colon",
        "organization": "Acme Health Solutions", "services": frozenset({"Jira"}),
        "justification": "track defects", "user_count": 40,
        "cor_status": CorStatus.STATED, "cor_address": "dana.smith@cms.example.gov",
        "published_form": False}
    values.update(facts)
    return requests.Expected(**values)  # type: ignore[arg-type]


def _scores(truth: requests.Expected, facts: RequestFacts) -> dict[str, str]:
    return {o.fact: o.score for o in requests.outcomes(truth, facts)}


def test_the_yardstick_scores_a_right_reading_as_true_positives() -> None:
    facts = RequestFacts(
        organization="ACME Health  Solutions.", services=("Jira",),
        justification="Our analysts track defects with CMS", user_count=40,
        cor=CorEvidence(CorStatus.STATED, "dana.smith@cms.example.gov"))
    assert set(_scores(_truth(), facts).values()) == {"tp"}


def test_the_yardstick_counts_a_wrong_value_against_both_figures() -> None:
    facts = RequestFacts(
        organization="Acme Health", services=("Jira", "Slack"), justification="access",
        user_count=410, cor=CorEvidence(CorStatus.STATED, None))
    assert set(_scores(_truth(), facts).values()) == {"wrong"}
    # A count label whose value is no number leaves the request as incomplete as no
    # label at all: no count was read.
    unread = RequestFacts(user_count_invalid="about forty")
    assert _scores(_truth(), unread)["user_count"] == "fn"
    assert _scores(_truth(user_count=None), unread)["user_count"] == "tn"


def test_the_yardstick_counts_a_fact_read_where_none_was_given() -> None:
    truth = _truth(organization=None, services=frozenset(), justification=None,
                   user_count=None, cor_status=CorStatus.MISSING, cor_address=None)
    assert set(_scores(truth, RequestFacts()).values()) == {"tn"}
    facts = RequestFacts(organization="Phone", services=("Jira",), justification="x",
                         user_count=410, cor=CorEvidence(CorStatus.STATED, "a@b.example"))
    assert set(_scores(truth, facts).values()) == {"fp"}
    result = requests.Scores({"user_count": Counter({"tp": 8, "fp": 1, "fn": 1, "wrong": 2})},
                             0, 0, [])
    assert result.precision("user_count") == pytest.approx(8 / 11)
    assert result.recall("user_count") == pytest.approx(8 / 11)


def test_every_published_form_mail_is_read_completely() -> None:
    result = requests.scores()
    unread = sorted({m.truth.file for m in result.misses if m.truth.published_form})
    assert result.published_complete == result.published, unread


@pytest.mark.parametrize("fact", requests.FACTS)
def test_each_fact_is_read_with_98_percent_recall_and_99_percent_precision(fact: str) -> None:
    result = requests.scores()
    misses = [f"{m.truth.file} {m.score}" for m in result.misses if m.fact == fact]
    recall, precision = result.recall(fact), result.precision(fact)
    assert recall >= 0.98, misses
    assert precision >= 0.99, misses
