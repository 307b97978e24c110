"""Score the fact reader on the labelled request mails of `requests/`.

Each mail is parsed and its facts read exactly as the daemon does it (the parser, then
`extract_facts` with the catalog and COR directory of config.example.toml). Per fact:

- a true positive is a fact read and equal to the truth (services: the same set of
  catalog names; justification: the truth's key phrase found in what was read; COR:
  the same evidence status, and the same address where the truth names one);
- a false positive is a fact read where the truth has none, or read wrong;
- a false negative is a fact the truth has that was not read, or read wrong.

Precision is TP / (TP + FP), recall TP / (TP + FN). A wrong value counts against both.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
    file: str
    kind: str
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

    file: str
    fact: str
    truth: str | None
    read: str | None
    score: str  # "tp", "fp", "fn", "fp+fn" (read wrong) or "tn"


@cache
def policy() -> Policy:
    return load_config(CONFIG).policy


def expected() -> list[Expected]:
    data = tomllib.loads((FOLDER / "expected.toml").read_text(encoding="utf-8"))
    return [Expected(
        file=e["file"], kind=e["kind"], organization=e["organization"] or None,
        services=frozenset(e["services"]), justification=e["justification"] or None,
        user_count=e["user_count"] or None, cor_status=CorStatus(e["cor_status"]),
        cor_address=e["cor_address"] or None, published_form=e["published_form"],
    ) for e in data["mail"]]


def read(truth: Expected) -> RequestFacts:
    mail = parse_message((FOLDER / truth.file).read_bytes())
    rules = policy()
    return extract_facts(mail, rules.catalog(), rules.cor_directory())


def outcomes(truth: Expected, facts: RequestFacts) -> list[Outcome]:
    org = facts.organization.rstrip(".").casefold() if facts.organization else None
    pairs: list[tuple[str, str | None, str | None, bool]] = [
        ("organization", truth.organization, facts.organization,
         org == (truth.organization or "").rstrip(".").casefold()),
        ("services", ", ".join(sorted(truth.services)) or None,
         ", ".join(sorted(facts.services)) or None, set(facts.services) == truth.services),
        ("justification", truth.justification, facts.justification,
         bool(truth.justification and facts.justification
              and truth.justification.casefold() in " ".join(facts.justification.split())
              .casefold())),
        ("user_count", _text(truth.user_count), _text(facts.user_count),
         facts.user_count == truth.user_count),
        ("cor", _cor(truth.cor_status, truth.cor_address),
         _cor(facts.cor.status, facts.cor.address),
         facts.cor.status is truth.cor_status
         and (truth.cor_address is None or facts.cor.address == truth.cor_address)),
    ]
    result = []
    for fact, true, got, equal in pairs:
        if true is None and got is None:
            score = "tn"
        elif true is None:
            score = "fp"
        elif got is None:
            score = "fn"
        else:
            score = "tp" if equal else "fp+fn"
        result.append(Outcome(truth.file, fact, true, got, score))
    return result


def _text(count: int | None) -> str | None:
    return None if count is None else str(count)


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
        positives = c["tp"] + c["fp"] + c["fp+fn"]
        return c["tp"] / positives if positives else 1.0

    def recall(self, fact: str) -> float:
        c = self.per_fact[fact]
        present = c["tp"] + c["fn"] + c["fp+fn"]
        return c["tp"] / present if present else 1.0


def scores() -> Scores:
    per_fact: dict[str, Counter[str]] = {fact: Counter() for fact in FACTS}
    misses: list[Outcome] = []
    published = complete = 0
    for truth in expected():
        found = outcomes(truth, read(truth))
        for outcome in found:
            per_fact[outcome.fact][outcome.score] += 1
            if outcome.score not in ("tp", "tn"):
                misses.append(outcome)
        if truth.published_form:
            published += 1
            complete += all(o.score == "tp" for o in found)
    return Scores(per_fact, published, complete, misses)


def report() -> str:
    result = scores()
    mails = len(expected())
    lines = [f"Facts: {mails} request mails (evaluation/requests/)", "",
             f"{'fact':<14}{'precision':>10}{'recall':>9}{'tp':>6}{'fp':>5}{'fn':>5}"
             f"{'wrong':>7}"]
    for fact in FACTS:
        c = result.per_fact[fact]
        lines.append(f"{fact:<14}{result.precision(fact):>10.1%}{result.recall(fact):>9.1%}"
                     f"{c['tp']:>6}{c['fp']:>5}{c['fn']:>5}{c['fp+fn']:>7}")
    lines.append("")
    lines.append(f"published form read completely: {result.published_complete} of "
                 f"{result.published}")
    if result.misses:
        lines += ["", "misses (file, fact: expected -> read):"]
        kinds: Counter[str] = Counter(m.file.split("-", 1)[1].removesuffix(".eml")
                                      for m in result.misses)
        lines.append("  by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
        for miss in result.misses:
            lines.append(f"  {miss.file} {miss.fact}: {miss.truth!r} -> {miss.read!r}")
    return "\n".join(lines)
