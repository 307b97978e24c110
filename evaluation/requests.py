"""Score the fact reader on the labelled request mails of `requests/`.

Each mail is parsed with `parse_message` and its facts read with `extract_facts`, given
the catalog and COR directory that the daemon builds from its configuration
(config.example.toml, through the project's own loader), exactly as the daemon reads a
new mail; a mail the parser finds machine-written has no facts read, as in the daemon.

For each mail and each of the five facts (organization, services, justification,
user_count, cor) the outcome is one of:

- true positive (tp): the truth has the fact, and the reading has it and it is equal;
- false positive (fp): the truth says the fact is absent, and the reading has one;
- false negative (fn): the truth has the fact, and the reading has none;
- wrong: the truth has the fact and the reading has another value. A wrong value is
  both a false positive and a false negative;
- true negative: absent in the truth, none read. It counts in neither figure.

    precision = tp / (tp + fp + wrong)      recall = tp / (tp + fn + wrong)

Equal means: organization, the same name ignoring case, spacing, a final full stop and
the kind of apostrophe; services, the same set of catalog names (names outside the
catalog are not counted); justification, the truth's key phrase inside what was read
(same leniency); user_count, the same number (a value under a count label that is not a
number, `user_count_invalid`, is no count read: the request stays incomplete, as when
nothing was read; the report shows it); cor, the same evidence
status (verified, forwarded, stated; "missing" is the fact absent) and the same address,
or none where the truth names none.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from onboardd.daemon.config import load_config
from onboardd.parsers.facts import extract_facts
from onboardd.parsers.message import parse_message
from onboardd.parsers.model import CorStatus, RequestFacts
from onboardd.responders.policy import Policy

FOLDER = Path(__file__).with_name("requests")
CONFIG = Path(__file__).resolve().parent.parent / "config.example.toml"
FACTS = ("organization", "services", "justification", "user_count", "cor")


@dataclass(frozen=True)
class Expected:
    """The reading one mail should get; None (or empty) means the fact is absent."""

    file: str
    kind: str
    client: str
    layout: str
    organization: str | None
    services: frozenset[str]
    justification: str | None
    user_count: int | None
    cor_status: CorStatus
    cor_address: str | None
    published_form: bool


@dataclass(frozen=True)
class Outcome:
    """One fact of one mail: what was true, what was read, and how that scores."""

    truth: Expected
    fact: str
    expected: str | None
    got: str | None
    score: str  # "tp", "fp", "fn", "wrong" or "tn"


@cache
def policy() -> Policy:
    return load_config(CONFIG).policy


@cache
def expected(folder: Path = FOLDER) -> tuple[Expected, ...]:
    data = tomllib.loads((folder / "expected.toml").read_text(encoding="utf-8"))
    return tuple(_expected(entry) for entry in data["mail"])


def _expected(entry: dict[str, Any]) -> Expected:
    absent = set(entry["absent"])
    status = CorStatus(entry["cor_status"])
    present = {fact for fact in FACTS[:4] if fact in entry}
    if present & absent or (set(FACTS[:4]) - present - absent) \
            or (status is CorStatus.MISSING) != ("cor" in absent):
        raise ValueError(f"{entry['file']}: each fact must be given or named absent")
    return Expected(
        file=entry["file"], kind=entry["kind"], client=entry["client"],
        layout=entry["layout"], organization=entry.get("organization"),
        services=frozenset(entry.get("services", ())),
        justification=entry.get("justification"), user_count=entry.get("user_count"),
        cor_status=status, cor_address=entry["cor_address"] or None,
        published_form=entry["published_form"],
    )


def read(truth: Expected, folder: Path = FOLDER) -> RequestFacts:
    """The facts the daemon would read from the mail."""
    mail = parse_message((folder / truth.file).read_bytes())
    if mail.auto.generated:
        return RequestFacts()
    rules = policy()
    return extract_facts(mail, rules.catalog(), rules.cor_directory())


def _plain(text: str) -> str:
    """Compared as a clerk would: no case, spacing, final stop or apostrophe kind."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split()).rstrip(".").casefold()


def outcomes(truth: Expected, facts: RequestFacts) -> list[Outcome]:
    count = None if facts.user_count is None else str(facts.user_count)
    cor = facts.cor
    pairs: list[tuple[str, str | None, str | None, bool]] = [
        ("organization", truth.organization, facts.organization,
         bool(truth.organization and facts.organization)
         and _plain(truth.organization or "") == _plain(facts.organization or "")),
        ("services", ", ".join(sorted(truth.services)) or None,
         ", ".join(sorted(facts.services)) or None, set(facts.services) == truth.services),
        ("justification", truth.justification, facts.justification,
         bool(truth.justification and facts.justification)
         and _plain(truth.justification or "") in _plain(facts.justification or "")),
        ("user_count", None if truth.user_count is None else str(truth.user_count), count,
         facts.user_count is not None and facts.user_count == truth.user_count),
        ("cor", _cor(truth.cor_status, truth.cor_address), _cor(cor.status, cor.address),
         cor.status is truth.cor_status and cor.address == truth.cor_address),
    ]
    result = []
    for fact, true, got, equal in pairs:
        if true is None:
            score = "tn" if got is None else "fp"
        elif got is None:
            score = "fn"
        else:
            score = "tp" if equal else "wrong"
        if fact == "user_count" and facts.user_count_invalid:
            got = f"(not a number: {facts.user_count_invalid})"
        result.append(Outcome(truth, fact, true, got, score))
    return result


def _cor(status: CorStatus, address: str | None) -> str | None:
    if status is CorStatus.MISSING:
        return None
    return f"{status.value} {address or '(no address)'}"


@dataclass(frozen=True)
class Scores:
    per_fact: dict[str, Counter[str]]
    published: int
    published_complete: int
    misses: list[Outcome]

    def precision(self, fact: str) -> float:
        c = self.per_fact[fact]
        read = c["tp"] + c["fp"] + c["wrong"]
        return c["tp"] / read if read else 1.0

    def recall(self, fact: str) -> float:
        c = self.per_fact[fact]
        present = c["tp"] + c["fn"] + c["wrong"]
        return c["tp"] / present if present else 1.0


@cache
def scores(folder: Path = FOLDER) -> Scores:
    per_fact: dict[str, Counter[str]] = {fact: Counter() for fact in FACTS}
    misses: list[Outcome] = []
    published = complete = 0
    for truth in expected(folder):
        found = outcomes(truth, read(truth, folder))
        for outcome in found:
            per_fact[outcome.fact][outcome.score] += 1
            if outcome.score not in ("tp", "tn"):
                misses.append(outcome)
        if truth.published_form:
            published += 1
            complete += all(o.score in ("tp", "tn") for o in found)
    return Scores(per_fact, published, complete, misses)


def report(folder: Path = FOLDER) -> str:
    result = scores(folder)
    mails = expected(folder)
    shown = folder.relative_to(FOLDER.parent.parent)
    lines = [f"Facts: {len(mails)} request mails ({shown}/)", "",
             f"{'fact':<14}{'precision':>10}{'recall':>9}{'tp':>6}{'fp':>5}{'fn':>5}"
             f"{'wrong':>7}"]
    for fact in FACTS:
        c = result.per_fact[fact]
        lines.append(f"{fact:<14}{result.precision(fact):>10.1%}{result.recall(fact):>9.1%}"
                     f"{c['tp']:>6}{c['fp']:>5}{c['fn']:>5}{c['wrong']:>7}")
    lines += ["", f"published form read completely: {result.published_complete} of "
                  f"{result.published}"]
    if result.misses:
        lines += ["", f"misses: {len(result.misses)} facts in "
                      f"{len({m.truth.file for m in result.misses})} mails"]
        for title, key in (("kind", lambda m: m.truth.kind),
                           ("client", lambda m: m.truth.client),
                           ("fact", lambda m: f"{m.fact} {m.score}")):
            counted = Counter(key(m) for m in result.misses)
            lines.append(f"  by {title}: " + ", ".join(f"{k} {n}"
                                                      for k, n in counted.most_common()))
        lines += ["", "each miss (file [layout] fact score: expected -> read):"]
        for miss in result.misses:
            lines.append(f"  {miss.truth.file} [{miss.truth.layout}] {miss.fact} "
                         f"{miss.score}: {miss.expected!r} -> {_short(miss.got)!r}")
    return "\n".join(lines)


def _short(value: str | None, limit: int = 90) -> str | None:
    if value is None:
        return None
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[:limit - 3] + "..."
