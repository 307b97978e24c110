"""Labelled lines of a request ("Organization: Acme") read into one raw value per fact.

A label is recognised by what its words mean, not by a list of spellings. Each fact
has a few head words (one must be present) and the other words its labels may carry;
the label's remaining words must all belong to that fact or to the filler every label
may have ("name of", "QualityNet", "requested", ...). So the published "Name of
QualityNet IT Service", "HCQIS service(s) requested" and "Service" all name the
services, while "Phone", "Office" or a sentence that ends with a colon name nothing.
Misspelt words are matched to the vocabulary with rapidfuzz.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from onboardd.parsers.wording import plain_text


@dataclass(frozen=True)
class FactWords:
    """The words a fact's labels are made of: at least one head, any of the rest."""

    fact: str
    heads: frozenset[str]
    others: frozenset[str] = frozenset()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Several words that mean one thing become one token before the labels are read.
_PHRASES = (
    (re.compile(r"\bcontracting officer'?s? representatives?\b"), "cor"),
    (re.compile(r"\bsecurity (?:official|officer)s?\b"), "securityofficial"),
    (re.compile(r"\b(?:point|points) of contact\b"), "poc"),
    (re.compile(r"\bhow many\b"), "number"),
    (re.compile(r"\bsign[ -]?off\b"), "signoff"),
    (re.compile(r"\buse cases?\b"), "usecase"),
    (re.compile(r"\bno\.|\bnum\b|\bnbr\b|\bqty\b|\bquantity\b|#"), " number "),
)

FACTS: tuple[FactWords, ...] = (
    FactWords("organization",
              _words("organization organisation org company contractor firm vendor entity"),
              _words("harp legal business contracting full official registered")),
    FactWords("services",
              _words("service services application applications app apps system systems "
                     "tool tools platform platforms software access"),
              _words("it needed required use")),
    FactWords("justification",
              _words("justification justifications justify reason reasons purpose rationale "
                     "need needs usecase why"),
              _words("business use service services access it application tool system "
                     "brief short description needed required")),
    FactWords("user_count",
              _words("users user seats seat accounts account people staff licenses licences "
                     "license licence employees headcount members"),
              _words("number count estimated estimate expected anticipated approximate "
                     "approximately approx total est max maximum initial service access "
                     "need needing who")),
    FactWords("cor",
              _words("cor cors"),
              _words("approval approved approver approvals status signoff confirmation "
                     "email contact from obtained received given")),
    FactWords("security_official",
              _words("securityofficial so iso"),
              _words("information primary email contact contacts")),
    FactWords("contract_number",
              _words("contract"),
              _words("number id identifier vehicle award")),
)

# Words any label may carry without changing which fact it names.
FILLER = _words(
    "name names of the a an for to be please provide your our my and or in on by with "
    "this that is are will which each per list new additional requested request requesting "
    "required desired proposed qualitynet hcqis ccsq cms it s here below")

_VOCABULARY = sorted(FILLER.union(*(f.heads | f.others for f in FACTS)))
# A misspelt word within this similarity (0-100) of a vocabulary word counts as it;
# shorter words must be exact ("org" is not "or").
FUZZY_CUTOFF = 88
FUZZY_MIN_LENGTH = 5
# A label is a few words; anything longer is a sentence, even with a colon at its end.
MOST_LABEL_WORDS = 10
MOST_LABEL_CHARS = 160

_PEOPLE = frozenset({"cor", "security_official"})
_ADDRESS_LINE = re.compile(r"^\s*[<(\[]?[\w.+-]+@[\w.-]+[>)\]]?\s*$")
_BULLET = re.compile(r"^\s*(?:[-*•·‣◦>]+|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+", re.IGNORECASE)
_REMARK = re.compile(r"\([^()]*\)")
# A remark that may end a label: words in brackets, not the "(s)" of "Service(s)".
_LABEL_REMARK = re.compile(r"\([^()]{3,}\)")
_NOT_WORD = re.compile(r"[^\w\s]|_")
# Outlook's plain part writes a table row as "label<TAB>value"; some clients pad with
# runs of spaces instead.
_GAP = re.compile(r"\t+| {3,}")
# "Contract No." ends in a full stop and is still a label, not a sentence.
_ABBREVIATED_END = re.compile(r"\b(?:no|nbr|num|est|approx|qty|org)\.$", re.IGNORECASE)
_DASH = re.compile(r"^(?P<label>.{1,80}?)\s+[-–—=]+\s+(?P<value>.*)$")


def normalize_label(label: str) -> str:
    """Lower case, "(s)" as "s", "#" as "number", no punctuation and no remarks in brackets."""
    text = plain_text(label).lower().replace("(s)", "s")
    text = _REMARK.sub(" ", text)
    for pattern, token in _PHRASES:
        text = pattern.sub(token, text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


@functools.lru_cache(maxsize=4096)
def fact_of_label(label: str) -> str | None:
    """The fact a label names, or None when its words are not a label's words."""
    # Most lines are sentences: turn them away before any normalising.
    if len(label) > MOST_LABEL_CHARS or (
            label.count(" ") > 2 * MOST_LABEL_WORDS
            and _REMARK.sub("", label).count(" ") > 2 * MOST_LABEL_WORDS):
        return None
    words = normalize_label(label).split()
    if not words or len(words) > MOST_LABEL_WORDS:
        return None
    content: set[str] = set()
    for word in words:
        known = _known(word)
        if known is None:
            return None
        if known not in FILLER:
            content.add(known)
    for facts in FACTS:
        if content & facts.heads and content <= facts.heads | facts.others:
            return facts.fact
    return None


def _known(word: str) -> str | None:
    """The vocabulary word `word` is, allowing a typo in longer words; None if unknown."""
    if word in FILLER or any(word in f.heads or word in f.others for f in FACTS):
        return word
    if len(word) < FUZZY_MIN_LENGTH or word.isdigit():
        return None
    found = process.extractOne(word, _VOCABULARY, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return str(found[0]) if found else None


def label_line(line: str) -> tuple[str, str] | None:
    """(fact, inline value) when the line starts with a label, else None."""
    hit = _label_hit(line)
    return hit[:2] if hit else None


def _label_hit(line: str) -> tuple[str, str, bool] | None:
    """(fact, inline value, whether the label is marked off as one) for a label line."""
    text = _BULLET.sub("", line.strip()).strip("*_ \t")
    if not text:
        return None
    for label, value, marked in _splits(text):
        fact = fact_of_label(label)
        if fact:
            return fact, value.strip().strip("*_").strip(), marked
    return None


def _splits(text: str) -> list[tuple[str, str, bool]]:
    """Ways the line may divide into a label and its value, most likely first, each
    with whether something marks the label off (a colon, a tab, a value after it)."""
    found: list[tuple[str, str, bool]] = []
    colon = _colon_outside_brackets(text)
    if colon is not None:
        found.append((text[:colon], text[colon + 1:], True))
    gap = _GAP.search(text)
    if gap:
        found.append((text[: gap.start()], text[gap.end():], True))
    dash = _DASH.match(text)
    if dash:
        found.append((dash.group("label"), dash.group("value"), True))
    remark = _LABEL_REMARK.search(text, 0, 240)
    after = text[remark.end():].strip() if remark else ""
    if colon is None and remark and after and (after[0].isupper() or after[0].isdigit()):
        # The published "Name of Organization (HARP Organization Name Preferred)" typed
        # with nothing but a space before the value: the remark ends the label.
        found.append((text[: remark.end()], after, True))
    if (colon is None or not text[colon + 1:].strip()) and (
            not text.endswith((".", "!")) or _ABBREVIATED_END.search(text)):
        # A label alone on its line; one that ends as a sentence does is a sentence
        # ("Below is our request for an additional service.").
        found.append((text.rstrip(":?").strip("*_ \t"), "", False))
    return found


def _colon_outside_brackets(text: str) -> int | None:
    """Where the first colon outside parentheses is: the published labels carry
    remarks such as "(NOTE: ...)" that hold colons of their own."""
    depth = 0
    for index, char in enumerate(text[:240]):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char in ":：" and depth == 0:
            return index
    return None


def read_labels(text: str) -> dict[str, str]:
    """The first value given for each fact; multi-line values keep their newlines.

    A value under a bare line that only reads as a label (a form's title, "Request for
    an Additional QualityNet IT Service") gives way to a later label marked off by a
    colon or a tab.
    """
    lines = text.split("\n")
    found: dict[str, str] = {}
    weak: set[str] = set()
    i = 0
    while i < len(lines):
        hit = _label_hit(lines[i])
        i += 1
        if hit is None:
            continue
        fact, value, marked = hit
        follow: list[str] = []
        # A label alone may have its value a blank line further down (pasted forms).
        if (not value and i + 1 < len(lines) and not lines[i].strip()
                and lines[i + 1].strip() and not label_line(lines[i + 1])):
            i += 1
        # Justification runs on; a label alone takes the lines under it as its value.
        if fact == "justification" or not value:
            while i < len(lines) and lines[i].strip() and not label_line(lines[i]):
                follow.append(lines[i].strip())
                i += 1
        # A person's address wrapped onto the next line still belongs to the person.
        elif (fact in _PEOPLE and "@" not in value and i < len(lines)
              and _ADDRESS_LINE.match(lines[i]) and not label_line(lines[i])):
            follow.append(lines[i].strip())
            i += 1
        joiner = " " if fact in _PEOPLE else "\n"
        full = joiner.join(part for part in [value, *follow] if part)
        if full and (fact not in found or (fact in weak and marked)):
            found[fact] = full
            if marked:
                weak.discard(fact)
            else:
                weak.add(fact)
    return found
