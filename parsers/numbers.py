"""User counts as people write them: "25", "1,200", "about forty", "20-30", "up to 50"."""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0, "a": 0, "an": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALES = {"dozen": 12, "hundred": 100, "thousand": 1000}
# The most a request's user count column holds (PostgreSQL integer); more is no estimate.
MOST_USERS = 2**31 - 1
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+"
_RANGE = re.compile(
    rf"({_NUMBER})\s*(?:-|–|—|to)\s*({_NUMBER})|between ({_NUMBER}) and ({_NUMBER})"
)
_DIGITS = re.compile(rf"(?<![\w.])(-\s*)?({_NUMBER})(\.\d+)?(\s*k\b)?")
# Every number word, as one alternation (longest first).
NUMBER_WORDS = "|".join(sorted([*_UNITS, *_SCALES], key=len, reverse=True))
_WORD_RUN = re.compile(rf"\b(?:(?:{NUMBER_WORDS})\b[\s-]*(?:and\s+)?)+", re.IGNORECASE)


def parse_user_count(value: str) -> tuple[int | None, str | None]:
    """(count, None) for a positive count; (None, raw text) when it cannot be one.

    A range or "up to" counts as its upper bound: the estimate sizes the licences.
    """
    raw = value.strip()
    text = raw.lower().replace("\u00a0", " ")
    words = _words_to_digits(text)
    ranged = _RANGE.search(words)
    if ranged:
        count = _int(ranged.group(2) or ranged.group(4))
        return (count, None) if 0 < count <= MOST_USERS else (None, raw)
    match = _DIGITS.search(words)
    if match is None or match.group(1):  # nothing readable, or a negative number
        return None, raw or None
    number = float(match.group(2).replace(",", "") + (match.group(3) or ""))
    if match.group(4):
        number *= 1000  # "1.5k"
    if number <= 0 or number != int(number) or number > MOST_USERS:  # no one has 2.5 users
        return None, raw
    return int(number), None


def _int(digits: str) -> int:
    return int(digits.replace(",", ""))


def _words_to_digits(text: str) -> str:
    """Replace each run of number words ("two hundred and fifty") by its digits."""

    def convert(match: re.Match[str]) -> str:
        value = _word_value(match.group(0))
        return match.group(0) if value is None else f"{value} "

    return _WORD_RUN.sub(convert, text)


def _word_value(run: str) -> int | None:
    tokens = [t for t in re.split(r"[\s-]+", run.lower()) if t and t != "and"]
    # A lone "a"/"an" is an article, not a number ("a lot of users").
    if not tokens or all(t in ("a", "an") for t in tokens):
        return None
    total, current = 0, 0
    for token in tokens:
        if token in _UNITS:
            current += _UNITS[token]
        elif token in ("dozen", "hundred"):
            current = max(current, 1) * _SCALES[token]
        else:
            total += max(current, 1) * _SCALES[token]
            current = 0
    return total + current
