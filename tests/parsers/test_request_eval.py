"""The fact reader on the labelled request mails: the floors the README promises."""

from __future__ import annotations

from evaluation import requests


def test_the_set_is_large_and_varied() -> None:
    expected = requests.expected()
    assert len(expected) >= 300
    kinds = {e.kind.split("-")[0] for e in expected}
    assert kinds >= {"published", "wording", "missing", "from", "cor", "forward", "prose"}
    assert sum(e.published_form for e in expected) >= 40


def test_every_published_form_is_read_completely_and_each_fact_well() -> None:
    result = requests.scores()
    assert result.published_complete == result.published
    for fact in requests.FACTS:
        assert result.recall(fact) >= 0.98, (fact, result.recall(fact))
        assert result.precision(fact) >= 0.99, (fact, result.precision(fact))
