"""Read approve, deny or unclear from the new words of an approver's reply.

The reading is lopsided on purpose. A false approval sends a welcome package that
nobody granted; an unclear reading costs one clarification mail. So approval has a few
positive rules, placed last, and counts only when nothing in the deciding text refused,
negated, doubted or set a condition first; refusal has many rules; and a phrasing no
rule knows falls through to unclear, never to approve. `RULES` is the whole model: it
is read top to bottom and the first rule that matches decides.
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


class Kind(enum.StrEnum):
    """What a rule's words are; the kind decides the verdict a match gives."""

    REFUSAL = "refusal"  # deny
    DOUBT = "doubt"  # unclear: the approver does not know yet
    HEDGE = "hedge"  # unclear: a condition, a contrast, a question, a stray negation
    CONSENT = "consent"  # approve, reached only when nothing above matched


VERDICT_OF = {Kind.REFUSAL: Verdict.DENY, Kind.DOUBT: Verdict.UNCLEAR,
              Kind.HEDGE: Verdict.UNCLEAR, Kind.CONSENT: Verdict.APPROVE}


@dataclass(frozen=True)
class DecisionReading:
    verdict: Verdict
    reason: str | None
    matched: str = ""
    rule: str = ""


@dataclass(frozen=True)
class WordRule:
    """A named pattern over normalised text (matched without regard to case)."""

    name: str
    kind: Kind
    pattern: re.Pattern[str]

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text)


def _rule(name: str, kind: Kind, pattern: str) -> WordRule:
    return WordRule(name, kind, re.compile(pattern, re.IGNORECASE))


# The verbs and nouns of consent; a negation in front of any of them is a refusal.
_CONSENT = (r"(?:approv\w*|concur\w*|sign(?:ing|ed)?\s+off|support\w*|authori[sz]\w*"
            r"|ok(?:ay)?|agree\w*|endorse\w*|allow\w*|grant\w*|green[- ]?light\w*"
            r"|proceed\w*|go\s+ahead|move\s+forward|onboard\w*|provision\w*"
            r"|give\s+(?:them\s+)?access)")
_NEGATION = (r"(?:can\s*not|can'?t|won'?t|will\s+not|would\s+not|wouldn'?t|do\s+not|don'?t"
             r"|does\s+not|doesn'?t|did\s+not|didn'?t|shall\s+not|should\s+not|shouldn'?t"
             r"|could\s+not|couldn'?t|must\s+not|mustn'?t|am\s+not|are\s+not|aren'?t"
             r"|is\s+not|isn'?t|was\s+not|wasn'?t|has\s+not|hasn'?t|have\s+not|haven'?t"
             r"|not|never|no)")
_R, _D, _H, _C = Kind.REFUSAL, Kind.DOUBT, Kind.HEDGE, Kind.CONSENT
# A consent word as a form's field name, then its value: "Approved: ", "Approve (Y/N) ".
_FORM_FIELD = (rf"\b{_CONSENT}(?>\s*(?:\(\s*y(?:es)?\s*/\s*n(?:o)?\s*\)\s*[:=\-\u2013\u2014]?"
               r"|[:=\-\u2013\u2014])\s*)")
# What ends a value written as a word: the text or a sentence ("Approved: no." but not
# "Approved: no changes needed").
_VALUE_ENDS = r"(?=\s*(?:[.!;]|$))"

RULES: tuple[WordRule, ...] = (
    # "Approve? No." answers its own question; read before the question mark can hedge.
    _rule("question answered no", _R, r"\?\s*(?:no|nope|nah|negative|denied|rejected)\b"),
    # Not knowing yet is neither yes nor no ("I'm not sure I can approve this").
    _rule("not sure", _D, r"\b(?:not\s+(?:sure|certain|clear)|unsure|uncertain"
                          r"|don'?t\s+know|no\s+idea)\b"),
    _rule("thinking it over", _D, r"\b(?:let\s+me\s+(?:check|think|confirm|look|review"
                                  r"|get\s+back)|get\s+back\s+to\s+you"
                                  r"|will\s+(?:check|review|look)"
                                  r"|(?:need|have)\s+to\s+(?:check|look|review|think"
                                  r"|confirm|verify)"
                                  r"|still\s+(?:reviewing|checking|looking))\b"),
    _rule("wants more", _D, r"\b(?:need|needs|want|require)\s+(?:more|additional|further)\s+"
                            r"(?:info\w*|details?|context|justification)\b"),
    # A lead who is not the one to decide, or who echoes the choice back, decides nothing.
    _rule("not theirs to decide", _D, r"\b(?:not\s+my\s+(?:service|call|decision|area|team"
                                      r"|product|system)|not\s+the\s+right\s+(?:person|lead"
                                      r"|approver|contact)|wrong\s+(?:person|lead|approver"
                                      r"|contact))\b"),
    _rule("choice echoed", _D, r"\bapprove\s*(?:or|/)\s*deny\b|\bdeny\s*(?:or|/)\s*approve\b"),
    # "Approved - NOT": a negation that closes the sentence takes the approval back.
    _rule("approval taken back", _R, rf"\b{_CONSENT}\W{{0,4}}(?:not|no|never)\b(?!\s*\w)"),
    # A form's field answered ("Approved: N", "Approve (Y/N): false", "Approved: [ ]"): a
    # negative value is a refusal, and any other short value but an affirmative one
    # leaves the field's word without the weight of an approval. A lone letter or mark
    # stands alone whatever follows it on the joined lines of its paragraph.
    _rule("form answered no", _R, _FORM_FIELD + r"(?:(?:n|0|[\u2717\u2718\u274c\u2612])"
                                  r"(?![\w/'-])|(?:no|nope|nah|false)" + _VALUE_ENDS + ")"),
    _rule("form answered otherwise", _H, _FORM_FIELD + r"(?:\[\s*\]|\(\s*\)"
                                         r"|(?![y1\u2713\u2714\u2611\u2705](?!\S))\S(?!\S)"
                                         r"|(?!(?:yes|yep|ok|true|on)\b)\S{2,3}"
                                         + _VALUE_ENDS + ")"),
    _rule("negated consent", _R, rf"\b{_NEGATION}\s+(?:[\w']+\s+){{0,3}}?{_CONSENT}"),
    _rule("no consent", _R, r"\bno\s+(?:approval|go|consent|authori[sz]ation|sign[- ]?off)\b"),
    _rule("saying no", _R, r"\b(?:a|say|saying|said)\s+(?:hard\s+|firm\s+)?no\b(?!-\w)"
                           r"|\b(?:absolutely|definitely|certainly|of\s+course)\s+not\b"),
    _rule("unable", _R, r"\b(?:unable|not\s+able|not\s+in\s+a\s+position|not\s+prepared"
                        r"|not\s+willing|unwilling)\s+to\b"),
    _rule("refusal word", _R, r"\b(?:den(?:y|ied|ies|ying|ial)|reject\w*|declin\w*|refus\w*"
                              r"|disapprov\w*|disallow\w*|veto\w*|turn(?:ed|ing)?\s+down"
                              r"|object(?:s|ed|ing)?\s+to)\b"),
    _rule("not now", _R, r"\b(?:not|no)\s+(?:at\s+this\s+(?:time|point|moment|stage)"
                         r"|right\s+now|now|yet|for\s+now|this\s+(?:time|quarter|year|month|one))\b"),
    _rule("on hold", _R, r"\b(?:hold\s+off|on\s+hold|put\s+(?:this|it|them)\s+on\s+hold"
                         r"|hold\s+(?:this|it|the\s+request))\b"),
    _rule("plain no", _R, r"^\W*(?:no|nope|nah|negative)\b(?!-\w)"),
    _rule("never", _R, r"\bnever\b"),
    # Anything below keeps an approval word from approving without making a denial.
    _rule("question", _H, r"\?"),
    _rule("condition", _H, r"\b(?:if|once|after(?!\s+all\b)|until|till|unless|provided"
                           r"|providing|pending|when|whenever|as\s+soon\s+as|subject\s+to"
                           r"|contingent|conditional\w*|conditions?|assuming|only\s+for"
                           r"|only\s+if|except|excluding|as\s+long\s+as|so\s+long\s+as"
                           r"|on\s+condition)\b"),
    _rule("contrast", _H, r"\b(?:but|however|although|though|yet|otherwise|instead|rather)\b"),
    _rule("doubt", _H, r"\b(?:maybe|perhaps|probably|possibly|likely|might|may|would|could"
                       r"|should|guess|think|believe|suppose|seems?|hopefully|normally"
                       r"|usually|in\s+principle|tentative\w*|provisional\w*|partial\w*"
                       r"|partly|for\s+now|for\s+the\s+time\s+being|temporar\w*|interim)\b"),
    # Our mail acknowledged is not our question answered ("Yes, received."), and what
    # was done by mistake or on something else is not this approval. Only an opening
    # acknowledgment counts: "Received from Dana Smith: approved" states a COR's approval.
    _rule("receipt only", _H, r"^\W*(?:(?:yes|ok(?:ay)?)\W+)?(?:i\s+)?(?:receiv\w*(?!\s+from)"
                              r"|got\s+(?:it|this|your)|noted|acknowledg\w*|thanks\s+for"
                              r"\s+(?:the|your)\s+(?:note|mail|e-?mail|message|request|heads))"
                              r"\b|\b(?:will\s+do|looking\s+into)\b"),
    _rule("by mistake", _H, r"\b(?:by\s+mistake|mistaken\w*|in\s+error|wrong\s+(?:request|one"
                            r"|ticket|service|mail|e-?mail|thread|form|link))\b"),
    # A promise or an ability to approve is not the approval itself.
    _rule("not yet given", _H, r"\b(?:will|'ll|shall|going\s+to|plan\s+to|intend\s+to|can"
                               r"|able\s+to)\s+(?:\w+\s+)?approv\w*"),
    _rule("negation", _H, r"\b(?:not|no|never|none|nor|neither|without|cannot|cant|dont|wont"
                          r"|didnt|doesnt|isnt|wasnt|arent|havent|hasnt|shouldnt|couldnt"
                          r"|wouldnt)\b|n't\b"),
    # Consent, in the few wordings that leave no doubt.
    _rule("approve", _C, r"\b(?:approved?|approving|i\s+approve|you\s+have\s+my\s+approval"
                         r"|approval\s+(?:granted|given))\b"),
    _rule("concur", _C, r"\b(?:i\s+)?concur\b|\bi\s+agree\b|^\W*agreed\b"),
    _rule("proceed", _C, r"\b(?:ok(?:ay)?|good|clear(?:ed)?|fine)\s+to\s+(?:proceed|go)\b"
                         r"|\bgo\s+ahead\b|\bplease\s+proceed\b"),
    _rule("no objection", _C, r"\b(?:i\s+have\s+)?no\s+objections?\b"),
    _rule("support", _C, r"\bi\s+(?:fully\s+)?support\s+(?:this|the)\s+request\b"),
    _rule("granted", _C, r"\b(?:granted|authori[sz]ed|signed\s+off)\b"),
    _rule("yes", _C, r"^\W*(?:yes|yep|yeah|yup|affirmative)\b"),
)

# What, below the deciding paragraph, still takes an approval back: all but consent.
# "Approved.\n\nNot for Slack though." is a conditional approval.
_TAKES_APPROVAL_BACK = tuple(r for r in RULES if r.kind is not Kind.CONSENT)

# Phrases that look like a refusal or a condition and are neither: consent that carries
# a "no" ("No objection, approved"), and asking to be told of what follows ("let me
# know when the accounts are set up"). They are blanked (same length, so match
# positions still index the reply) before the refusal, doubt and hedge rules read the
# text; the consent rules read it as written.
_BENIGN = re.compile(r"\bno\s+(?:problems?|issues?|objections?|concerns?|worries)\b"
                     r"|\b(?:let\s+(?:me|us)\s+know|keep\s+(?:me|us)\s+posted|notify\s+(?:me|us)"
                     r"|tell\s+(?:me|us))\s+(?:when|once|as\s+soon\s+as)\b",
                     re.IGNORECASE)

# A paragraph is a signature's legal notice, not the approver's words, when it is long,
# says at least two of these things and uses no refusal word; it and everything after
# it are left out of the reading ("If it reached you by mistake" is no condition).
NOTICE_MIN_WORDS = 20
_NOTICE_MARKS = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"\b(?:confidential\w*|privileged|proprietary|sensitive\s+information)\b",
    r"\b(?:intended|meant)\s+(?:solely\s+|only\s+|exclusively\s+)?for\b|\baddressee"
    r"|\bintended\s+recipient",
    r"\b(?:in\s+error|by\s+mistake|by\s+error|reached\s+you\s+by)\b",
    r"\b(?:delete|destroy)\s+(?:it|this|the|all)\b",
    r"\b(?:disclos\w*|distribut\w*|dissemina\w*|copying|unauthori[sz]ed\s+(?:use|review))\b",
))
_SEPARATORS = " \t-:;,.!"
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening)|greetings|all|team"
    r"|onboarding\s+team)\b[^.!?:]{0,40}[,!:]?\s*$", re.IGNORECASE)


def read_decision(reply_text: str) -> DecisionReading:
    """The decision in the first paragraph of the reply's own words.

    The later paragraphs are the reason or a note. They can only take an approval
    away: a refusal, doubt or hedge anywhere in them turns an approval into unclear.
    """
    head, rest = deciding_words(reply_text)
    if not head:
        return DecisionReading(Verdict.UNCLEAR, None)
    rule, match = _first_match(head, RULES)
    if rule is None or match is None:
        return DecisionReading(Verdict.UNCLEAR, None)
    verdict = VERDICT_OF[rule.kind]
    if verdict is Verdict.UNCLEAR:
        return DecisionReading(Verdict.UNCLEAR, None, match.group(0), rule.name)
    if verdict is Verdict.APPROVE:
        later, _ = _first_match(rest, _TAKES_APPROVAL_BACK)
        if later is not None:
            return DecisionReading(Verdict.UNCLEAR, None, rule=f"{later.name} further down")
    return _reading(verdict, head, rest, match, rule)


def deciding_words(reply_text: str) -> tuple[str, str]:
    """(the first paragraph of the reply's own words, the paragraphs after it up to a
    legal notice), normalised: what a reader of an answer to us decides on."""
    head, rest = _first_paragraph(plain_text(reply_text))
    return head, _before_legal_notice(rest)


def rule_in(text: str, *kinds: Kind) -> WordRule | None:
    """The first rule of one of `kinds` that matches anywhere in `text`, or None.

    For readers of other mail (a COR's approval line or forwarded mail) that want the
    approvers' words without the first-paragraph reading.
    """
    rule, _ = _first_match(plain_text(text), tuple(r for r in RULES if r.kind in kinds))
    return rule


def refusal_in(text: str) -> str | None:
    """The name of the first refusal rule that matches `text`, or None."""
    rule = rule_in(text, Kind.REFUSAL)
    return rule.name if rule else None


def approval_in(text: str) -> str | None:
    """The name of the first consent rule that matches `text`, or None; a caller must
    still rule out refusals, doubts and hedges before calling it consent."""
    rule = rule_in(text, Kind.CONSENT)
    return rule.name if rule else None


def _first_match(text: str, rules: tuple[WordRule, ...]
                 ) -> tuple[WordRule | None, re.Match[str] | None]:
    blanked = _BENIGN.sub(lambda m: " " * len(m.group(0)), text)
    for rule in rules:
        match = rule.search(text if rule.kind is Kind.CONSENT else blanked)
        if match:
            return rule, match
    return None, None


def _reading(verdict: Verdict, head: str, rest: str, match: re.Match[str],
             rule: WordRule) -> DecisionReading:
    after = head[match.end():]
    remainder = after.lstrip(_SEPARATORS).rstrip()
    set_apart = not remainder or after[: len(after) - len(after.lstrip(_SEPARATORS))].strip()
    if head[: match.start()].strip(_SEPARATORS) or not set_apart or approval_in(remainder):
        # The decision sits inside a sentence ("I can't approve this", "Do not proceed
        # with this"): that whole sentence is the reason. Only words set apart from
        # the decision by punctuation ("Denied: ...", "No. ...") are a reason alone.
        remainder = head.strip()
    reason = "\n".join(part for part in (remainder, rest) if part) or None
    return DecisionReading(verdict, reason, head[match.start():match.end()], rule.name)


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


_REFUSAL_WORD = next(r.pattern for r in RULES if r.name == "refusal word")


def _before_legal_notice(text: str) -> str:
    """`text` up to the first paragraph that is a legal notice (see _NOTICE_MARKS)."""
    paragraphs = re.split(r"\n\s*\n", text)
    for index, paragraph in enumerate(paragraphs):
        if (len(paragraph.split()) >= NOTICE_MIN_WORDS
                and sum(1 for mark in _NOTICE_MARKS if mark.search(paragraph)) >= 2
                and not _REFUSAL_WORD.search(paragraph)):
            return "\n\n".join(paragraphs[:index]).strip()
    return text
