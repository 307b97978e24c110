"""Read approve, deny or unclear from the new words of an approver's reply.

The reading is lopsided on purpose. A false approval sends a welcome package that
nobody granted; an unclear reading costs one clarification mail. So approval has a few
positive rules and counts only when nothing in the deciding text refuses, negates,
doubts or sets a condition; refusal has many rules; and a phrasing no rule knows can
only be unclear. Each table below is tried in order, and a reading names the rule
that decided it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from onboardd.parsers.wording import plain_text


class Verdict(enum.StrEnum):
    APPROVE = "approve"
    DENY = "deny"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class DecisionReading:
    verdict: Verdict
    reason: str | None
    matched: str = ""
    rule: str = ""


@dataclass(frozen=True)
class WordRule:
    """A named pattern over normalised, lower-cased text."""

    name: str
    pattern: re.Pattern[str]

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text)


def _rule(name: str, pattern: str) -> WordRule:
    return WordRule(name, re.compile(pattern, re.IGNORECASE))


# The verbs and nouns of consent; a negation in front of any of them is a refusal.
_CONSENT = (r"(?:approv\w*|concur\w*|sign(?:ing|ed)?\s+off|support\w*|authori[sz]\w*"
            r"|ok(?:ay)?|agree\w*|endorse\w*|allow\w*|grant\w*|green[- ]?light\w*)")
_NEGATION = (r"(?:can\s*not|can'?t|won'?t|will\s+not|would\s+not|wouldn'?t|do\s+not|don'?t"
             r"|does\s+not|doesn'?t|did\s+not|didn'?t|shall\s+not|should\s+not|shouldn'?t"
             r"|could\s+not|couldn'?t|must\s+not|mustn'?t|am\s+not|are\s+not|aren'?t"
             r"|is\s+not|isn'?t|was\s+not|wasn'?t|has\s+not|hasn'?t|have\s+not|haven'?t"
             r"|not|never|no)")

# Words that show the approver does not know yet: neither a yes nor a no.
UNCERTAIN: tuple[WordRule, ...] = (
    _rule("not sure", r"\b(?:not\s+(?:sure|certain|clear)|unsure|uncertain|don'?t\s+know"
                      r"|no\s+idea)\b"),
    _rule("thinking it over", r"\b(?:let\s+me\s+(?:check|think|confirm|look|review|get\s+back)"
                              r"|get\s+back\s+to\s+you|will\s+(?:check|review|look)"
                              r"|still\s+(?:reviewing|checking|looking))\b"),
    _rule("wants more", r"\b(?:need|needs|want|require)\s+(?:more|additional|further)\s+"
                        r"(?:info\w*|details?|context|justification)\b"),
)

# Words that refuse. The first that matches decides the verdict and where the reason
# starts; they are read before any approval word, so "not approved" never approves.
REFUSALS: tuple[WordRule, ...] = (
    _rule("question answered no", r"\?\s*(?:no|nope|nah|negative|denied|rejected)\b"),
    # "Approved - NOT": a negation that closes the sentence takes the approval back.
    _rule("approval taken back", rf"\b{_CONSENT}\W{{0,4}}(?:not|no|never)\b(?!\s*\w)"),
    _rule("negated consent", rf"\b{_NEGATION}\s+(?:[\w']+\s+){{0,3}}?{_CONSENT}"),
    _rule("no consent", r"\bno\s+(?:approval|go|consent|authori[sz]ation|sign[- ]?off)\b"),
    _rule("unable", r"\b(?:unable|not\s+able|not\s+in\s+a\s+position|not\s+prepared"
                    r"|not\s+willing|unwilling)\s+to\b"),
    _rule("refusal word", r"\b(?:den(?:y|ied|ies|ying|ial)|reject\w*|declin\w*|refus\w*"
                          r"|disapprov\w*|disallow\w*|veto\w*|turn(?:ed|ing)?\s+down)\b"),
    _rule("not now", r"\b(?:not|no)\s+(?:at\s+this\s+(?:time|point|moment|stage)|right\s+now"
                     r"|now|yet|for\s+now|this\s+(?:time|quarter|year|month))\b"),
    _rule("on hold", r"\b(?:hold\s+off|on\s+hold|put\s+(?:this|it|them)\s+on\s+hold"
                     r"|hold\s+(?:this|it|the\s+request))\b"),
    _rule("plain no", r"^\W*(?:no|nope|nah|negative)\b(?!\s+(?:problems?|issues?|objections?"
                      r"|concerns?|worries)\b)"),
    _rule("never", r"\bnever\b"),
)

# Anything here keeps an approval word from approving: a condition, a contrast, a
# question, a negation left over, a hedge. It does not make a denial.
HEDGES: tuple[WordRule, ...] = (
    _rule("question", r"\?"),
    _rule("condition", r"\b(?:if|once|after(?!\s+all\b)|until|till|unless|provided"
                       r"|providing|pending"
                       r"|when|whenever|as\s+soon\s+as|subject\s+to|contingent|conditional\w*"
                       r"|conditions?|assuming|only\s+for|only\s+if|except|excluding|as\s+long\s+as"
                       r"|so\s+long\s+as|on\s+condition)\b"),
    _rule("contrast", r"\b(?:but|however|although|though|yet|otherwise|instead|rather)\b"),
    _rule("doubt", r"\b(?:maybe|perhaps|probably|possibly|likely|might|may|would|could"
                   r"|should|guess|think|believe|suppose|seems?|hopefully|normally|usually"
                   r"|in\s+principle|tentative\w*|provisional\w*|partial\w*|partly)\b"),
    _rule("negation", r"\b(?:not|no|never|none|nor|neither|without|cannot|cant|dont|wont|didnt"
                      r"|doesnt|isnt|wasnt|arent|havent|hasnt|shouldnt|couldnt|wouldnt)\b"
                      r"|n't\b"),
)

# Words that give consent. Only read when no rule above matched.
APPROVALS: tuple[WordRule, ...] = (
    _rule("approve", r"\b(?:approved?|approving|i\s+approve|you\s+have\s+my\s+approval"
                     r"|approval\s+(?:granted|given))\b"),
    _rule("concur", r"\b(?:i\s+)?concur\b"),
    _rule("proceed", r"\b(?:ok(?:ay)?|good|clear(?:ed)?|fine)\s+to\s+(?:proceed|go)\b"
                     r"|\bgo\s+ahead\b|\bplease\s+proceed\b"),
    _rule("granted", r"\b(?:granted|authori[sz]ed|signed\s+off)\b"),
    _rule("yes", r"^\W*(?:yes|yep|yeah|yup|affirmative)\b"),
)

# Consent-sounding phrases that carry a "no" but refuse nothing; they are taken out
# before the negation hedge looks, so "No objection, approved" can still approve.
_BENIGN_NO = re.compile(r"\bno\s+(?:problems?|issues?|objections?|concerns?|worries)\b",
                        re.IGNORECASE)
_SEPARATORS = " \t-:;,.!"
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening)|greetings|all|team"
    r"|onboarding\s+team)\b[^.!?:]{0,40}[,!:]?\s*$", re.IGNORECASE)


def read_decision(reply_text: str) -> DecisionReading:
    """The decision in the reply's first paragraph of its own words.

    The later paragraphs are the reason, and they can only take an approval away: a
    refusal anywhere in them turns an approval into unclear.
    """
    head, rest = _first_paragraph(plain_text(reply_text))
    if not head:
        return DecisionReading(Verdict.UNCLEAR, None)
    for rule in REFUSALS[:1]:  # "Approve? No." answers its own question first
        match = rule.search(head)
        if match:
            return _reading(Verdict.DENY, head, rest, match, rule)
    for rule in UNCERTAIN:
        if rule.search(head):
            return DecisionReading(Verdict.UNCLEAR, None, rule=rule.name)
    for rule in REFUSALS[1:]:
        match = rule.search(head)
        if match:
            return _reading(Verdict.DENY, head, rest, match, rule)
    hedged = _BENIGN_NO.sub(" ", head)
    for rule in HEDGES:
        if rule.search(hedged):
            return DecisionReading(Verdict.UNCLEAR, None, rule=rule.name)
    for rule in APPROVALS:
        match = rule.search(head)
        if match:
            if refusal_in(rest):
                return DecisionReading(Verdict.UNCLEAR, None, rule="refusal further down")
            return _reading(Verdict.APPROVE, head, rest, match, rule)
    return DecisionReading(Verdict.UNCLEAR, None)


def refusal_in(text: str) -> str | None:
    """The name of the first refusal rule that matches `text`, or None."""
    plain = plain_text(text)
    return next((rule.name for rule in REFUSALS if rule.search(plain)), None)


def approval_in(text: str) -> str | None:
    """The name of the first approval rule that matches `text`, or None; a caller must
    still check `refusal_in` (and any hedge it cares about) before calling it consent."""
    plain = plain_text(text)
    return next((rule.name for rule in APPROVALS if rule.search(plain)), None)


def _reading(verdict: Verdict, head: str, rest: str, match: re.Match[str],
             rule: WordRule) -> DecisionReading:
    remainder = head[match.end():].lstrip(_SEPARATORS).rstrip()
    if head[: match.start()].strip(_SEPARATORS) or approval_in(remainder):
        # The decision sits inside a sentence ("I can't approve this", "Unable to
        # approve now"): that whole sentence is the reason.
        remainder = head.strip()
    reason = "\n".join(part for part in (remainder, rest) if part) or None
    return DecisionReading(verdict, reason, match.group(0), rule.name)


def _first_paragraph(text: str) -> tuple[str, str]:
    """(the first paragraph that is not only a greeting, everything after it)."""
    lines = text.strip().splitlines()
    while lines and (not lines[0].strip() or _GREETING.match(lines[0])):
        lines.pop(0)
    head: list[str] = []
    for index, line in enumerate(lines):
        if not line.strip() and head:
            return " ".join(head), "\n".join(lines[index + 1:]).strip()
        if line.strip():
            head.append(line.strip())
    return " ".join(head), ""
