"""Offboarding by mail: whether a mail asks to offboard a contract, and whether a
Service Lead's reply confirms that a service's access is removed.

The confirmation is read as lopsidedly as an approval (parsers/decision.py, whose
normalising, paragraph split and refusal, doubt and hedge rules it reuses): a false
"removed" closes a contract while its people can still sign in, an unclear reading
costs one clarification. So a reply confirms only when its deciding words say the
work is done in the few ways `_DONE` knows, and nothing in them negates, doubts, sets
a condition, promises for later, merely acknowledges our mail or names another
service. There is no "refused" reading: a lead who cannot remove yet has not removed.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from onboardd.parsers.decision import OBJECTIONS, deciding_words, first_rule
from onboardd.parsers.wording import plain_text


class Removal(enum.StrEnum):
    CONFIRMED = "confirmed"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class RemovalReading:
    verdict: Removal
    rule: str = ""  # the rule that decided, for the audit


def _rule(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# What keeps "done" words from confirming, beyond decision.py's refusals, doubts and
# hedges: the work is promised or under way, our mail is only acknowledged, or some
# of it is left.
_NOT_DONE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("later", _rule(r"\b(?:will|'ll|shall|going\s+to|plan(?:ning)?\s+to|intend\s+to|about\s+to"
                    r"|scheduled|to\s+be|tomorrow|tonight|later|soon|next\s+(?:week|month)"
                    r"|by\s+(?:monday|tuesday|wednesday|thursday|friday|eod|cob|end\s+of))\b")),
    ("under way", _rule(r"\b(?:in\s+progress|under\s*way|working\s+on|started|starting|begun"
                        r"|being|still|removing|revoking|deleting|disabling|deactivating"
                        r"|deprovisioning|processing|queu\w*|submitted)\b")),
    ("acknowledged", _rule(r"\b(?:receiv\w*|acknowledg\w*|noted|got\s+(?:it|this|your)"
                           r"|will\s+do|on\s+it|looking\s+into|thanks\s+for\s+(?:the|your)"
                           r"\s+(?:note|mail|email|message|request|heads))\b")),
    ("partly", _rule(r"\b(?:some|most|half|few|several|remaining|rest\s+of|other|except"
                     r"|apart\s+from|only|\d+\s+(?:of|out\s+of)\s+\d+)\b")),
)

# The work said done: a closing word or a word of removal set apart ("Done.",
# "Confirmed, ...", "Removed."), either after a plain "Yes," or "OK," ("Yes, done."),
# or a word of removal beside what was removed, in the same sentence ("Access removed",
# "we revoked all roles"). "Deleted your mail by mistake" and "Removed from the
# thread" are not it: the word opens them but is not set apart.
_AGREED = r"(?:(?:yes|yep|ok(?:ay)?)\s*[,.!:-]?\s+)?"
_SET_APART = r"(?:\s*[.!,;:\u2013-]|\s*$)"
_GONE = r"(?:removed|revoked|deleted|disabled|deactivated|de-?provisioned|offboarded)"
_WHAT = (r"(?:access|roles?|accounts?|users?|permissions?|privileges?|entitlements?|logins?"
         r"|licen[cs]es?|seats?)")
_DONE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("done", _rule(rf"^\W*{_AGREED}(?:done|completed?|finished|confirmed|all\s+done"
                   rf"|all\s+set){_SET_APART}")),
    ("removed", _rule(rf"^\W*{_AGREED}{_GONE}{_SET_APART}"
                      rf"|\b{_WHAT}\b[^.!?\n]{{0,60}}\b{_GONE}\b"
                      rf"|\b{_GONE}\b[^.!?\n]{{0,60}}\b{_WHAT}\b")),
)


def read_removal(reply_text: str, other_services: tuple[str, ...] = ()) -> RemovalReading:
    """Whether a lead's reply confirms the removal of the service its token names.

    `other_services` are the names (and aliases) of every other catalog service: a
    reply whose deciding words name one of them may be about the wrong service, and is
    unclear (a signature below that names a team's services is no such reply).
    """
    head, rest = deciding_words(reply_text)
    if not head:
        return RemovalReading(Removal.UNCLEAR, "no words")
    words = f"{head}\n\n{rest}" if rest else head
    objection = first_rule(words, OBJECTIONS)  # "See the ticket for details" confirms
    if objection is not None:
        return RemovalReading(Removal.UNCLEAR, objection.name)
    for name, pattern in _NOT_DONE:
        if pattern.search(words):
            return RemovalReading(Removal.UNCLEAR, name)
    for service in other_services:
        if re.search(rf"(?<!\w){re.escape(service)}(?!\w)", head, re.IGNORECASE):
            return RemovalReading(Removal.UNCLEAR, "another service")
    for name, pattern in _DONE:
        if pattern.search(head):
            return RemovalReading(Removal.CONFIRMED, name)
    return RemovalReading(Removal.UNCLEAR, "no confirmation")


# A mail asking to offboard says so in its subject or opening lines.
_OFFBOARD = _rule(
    r"\boff-?board\w*|\bclose-?\s?out\b|\bremov\w*\s+(?:all\s+)?(?:of\s+)?(?:our|their|the"
    r"|its)?\s*(?:user\s+)?(?:access|roles|accounts)\b"
    r"|\bcontract\s+(?:has\s+|is\s+|was\s+)?(?:end\w*|expir\w*|terminat\w*|complet\w*|over)\b"
    r"|\bcontract\b[^!?\n]{0,60}\b(?:has|have|had)\s+(?:now\s+)?(?:ended|expired|been\s+"
    r"(?:terminated|completed|closed))\b"
    r"|\b(?:period\s+of\s+performance|pop)\s+(?:has\s+|is\s+)?(?:end\w*|expir\w*|over)\b")
# Words that turn the ask around: not ending, or ending later than thought ("No."
# before a number is the number's label).
_NOT_ENDING = _rule(
    r"\b(?:not|no(?![.:#])|never|don'?t|doesn'?t|won'?t|isn'?t|aren'?t|wasn'?t|cancel\w*"
    r"|postpone\w*|extend\w*|extension|renew\w*|modification|hold\s+off|on\s+hold)\b")
# A question about the end or the offboarding is not a request to start it.
_ASKING_ABOUT = _rule(r"\b(?:when|what|how|why|whether|which|does|do|is|are|will|should)\b"
                      r"[^?.!]*\b(?:off-?board\w*|end\w*|expir\w*|close-?\s?out)[^?.!]*\?")
# A contract number as written: letters and digits, often with dashes.
_NUMBER = re.compile(r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9-]{5,40}"
                     r"\b")


_REPLY_SUBJECT = re.compile(r"^\s*(?:re|aw|sv|antw)\s*:", re.IGNORECASE)


def asks_offboarding(subject: str, reply_text: str) -> bool:
    """The first lines of the sender's own words (and the subject, unless it answers
    ours) ask to offboard a contract or say that it ended, with no word that takes it
    back, and ask no question about when or how."""
    lines = [line for line in plain_text(reply_text).split("\n") if line.strip()][:4]
    if not _REPLY_SUBJECT.match(subject):
        lines.insert(0, plain_text(subject))
    opening = " ".join(lines)
    return (bool(_OFFBOARD.search(opening)) and not _NOT_ENDING.search(opening)
            and not _ASKING_ABOUT.search(opening))


def named_numbers(subject: str, reply_text: str, limit: int = 10) -> tuple[str, ...]:
    """The words of the subject and the sender's own words that may be contract numbers,
    in upper case, the subject's first."""
    found: list[str] = []
    for text in (subject, reply_text):
        for match in _NUMBER.finditer(plain_text(text)):
            word = match.group(0).strip("-").upper()
            if word not in found:
                found.append(word)
    return tuple(found[:limit])
