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
from collections.abc import Iterable
from dataclasses import dataclass

from onboardd.parsers.model import REFERENCE_TAG
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
    # A consent that would answer any question ("Yes") stands apart only when the whole
    # paragraph does: "Yes, I saw it" answers something else.
    whole_paragraph: bool = False

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text)


def _rule(name: str, kind: Kind, pattern: str, *, whole_paragraph: bool = False) -> WordRule:
    return WordRule(name, kind, re.compile(pattern, re.IGNORECASE), whole_paragraph)


# The verbs and nouns of consent; a negation in front of any of them is a refusal. Only
# the refusal and hedge rules read this list (a misspelt "Not aproved" still refuses);
# the consent rules at the end of RULES keep their own, narrower words.
_CONSENT = (r"(?:ap+ro+v\w*|concur\w*|sign(?:ing|ed)?\s+off|support\w*|authori[sz]\w*"
            r"|ok(?:ay)?|agree\w*|endorse\w*|allow\w*|grant\w*|green[- ]?light\w*"
            r"|proceed\w*|go\s+ahead|move\s+forward|onboard\w*|provision\w*"
            r"|give\s+(?:them\s+)?access|consent\w*|acceptabl\w*|permi(?:t|ss)\w*|good\s+to\s+go)")
_NEGATION = (r"(?:can\s*not|can'?t|won'?t|will\s+not|would\s+not|wouldn'?t|do\s+not|don'?t"
             r"|does\s+not|doesn'?t|did\s+not|didn'?t|shall\s+not|should\s+not|shouldn'?t"
             r"|could\s+not|couldn'?t|must\s+not|mustn'?t|am\s+not|are\s+not|aren'?t"
             r"|is\s+not|isn'?t|was\s+not|wasn'?t|has\s+not|hasn'?t|have\s+not|haven'?t"
             r"|not|never|no)")
_R, _D, _H, _C = Kind.REFUSAL, Kind.DOUBT, Kind.HEDGE, Kind.CONSENT
# A consent word as a form's field name, then its value: "Approved: ", "Approve (Y/N) ".
# The value may be boxed without a separator ("Approved [N]", "Approve [ ]").
# A form's own "Y/N" after a field's name.
_YES_OR_NO = r"y(?:es)?\s*/\s*n(?:o)?"
_FORM_FIELD = (rf"\b{_CONSENT}(?>\s*(?:[(\[]?\s*{_YES_OR_NO}\s*[)\]]?\s*"
               r"[:=\-\u2013\u2014]?|[:=\-\u2013\u2014]>?)\s*|\s*(?=[(\[]))")
# What ends a value written as a word: the text or a sentence ("Approved: no." but not
# "Approved: no changes needed").
_VALUE_ENDS = r"(?=\s*(?:[.!;]|$))"
# What ends a word said as a whole answer: the text or a clause ("Sorry, I can't, ...").
_ANSWER_ENDS = r"(?=\s*(?:[.!;,]|$))"
# The boxes of a checkbox form, and the words of refusal that label one.
_EMPTY_BOX = r"(?:\[\s*\]|\(\s*\)|\u2610)"
_TICKED_BOX = r"(?:\[\s*[x\u2713\u2714]\s*\]|\(\s*[x\u2713\u2714]\s*\)|[\u2612\u2611])"
_WITHDRAWN = (r"\b(?:revok\w*|revocation|rescind\w*|rescission|retract\w*|withdr[ae]w\w*"
              r"|withh[oe]ld\w*"
              r"|void(?:ed|s)?|invalidat\w*)\b")
_REFUSING = r"(?:deny|denied|reject\w*|declin\w*|disapprov\w*)\b"

RULES: tuple[WordRule, ...] = (
    # A writer who takes back what they just wrote has decided nothing yet ("Approve.
    # Actually, wait - hold off.", "Deny. Sorry, approve - misread.").
    _rule("second thoughts", _D, r"\bon\s+second\s+thoughts?\b|\bscratch\s+that\b"
                                 r"|\b(?:actually|oops|sorry)\W+wait\b|\bwait\W+(?:actually|no)\b"
                                 r"|\bmis-?read\b"),
    # "Approve? No." answers its own question about the decision; read before the
    # question mark can hedge. Another question answered no ("Who is Acme? Never heard of
    # them.") is a doubt, read by the rules below.
    _rule("question answered no", _R, rf"\b(?:{_CONSENT}|access)"
                                      r"[^.!?\n]{0,60}\?\s*(?:no|nope|nah|negative|denied"
                                      r"|rejected|never|hardly|not\s+a\s+chance)\b"),
    # Away from work: an out-of-office note typed or sent without its headers decides
    # nothing ("I am out of the office and will not be able to approve requests").
    _rule("away", _D, r"\bout\s+of\s+(?:the\s+)?office\b|\b(?:until|when)\s+i\s+(?:return|am\s+back"
                      r"|get\s+back)\b|\bon\s+(?:annual\s+|sick\s+|parental\s+)?leave\b"),
    # Not knowing yet is neither yes nor no ("I'm not sure I can approve this").
    _rule("not sure", _D, r"\b(?:not\s+(?:sure|certain|clear)|unsure|uncertain"
                          r"|don'?t\s+know|no\s+idea)\b"),
    _rule("thinking it over", _D, r"\b(?:let\s+me\s+(?:check|think|confirm|look|review"
                                  r"|get\s+back)|get\s+back\s+to\s+you"
                                  r"|will\s+(?:check|review|look|verify|follow\s+up"
                                  r"|confirm(?!\s+(?:by|in|via)\s+(?:e-?mail|writing)))"
                                  r"|(?:need|have)\s+to\s+(?:check|look|review|think"
                                  r"|confirm|verify)"
                                  r"|still\s+(?:reviewing|checking|looking|deciding|thinking"
                                  r"|considering|waiting)|undecided|on\s+the\s+fence)\b"),
    _rule("wants more", _D, r"\b(?:need|needs|want|require)\s+(?:more|additional|further)\s+"
                            r"(?:info\w*|details?|context|justification)\b"),
    # A lead who is not the one to decide, or who echoes the choice back, decides nothing.
    _rule("not theirs to decide", _D, r"\b(?:not\s+my\s+(?:service|call|decision|area|team"
                                      r"|product|system)|not\s+the\s+right\s+(?:person|lead"
                                      r"|approver|contact)|wrong\s+(?:person|lead|approver"
                                      r"|contact)|not\s+(?:the|an)\s+approver)\b"),
    _rule("choice echoed", _D, r"\bapprove\s*(?:or|/)?\s*deny\b|\bdeny\s*(?:or|/)?\s*approve\b"),
    # "Approved - NOT": a negation that closes the sentence takes the approval back.
    _rule("approval taken back", _R, rf"\b{_CONSENT}\W{{0,4}}(?:not|no|never)\b(?!\s*\w)"),
    # A form's field answered ("Approved: N", "Approve (Y/N): false", "Approved: [ ]"): a
    # negative value is a refusal, and any other short value but an affirmative one
    # leaves the field's word without the weight of an approval. A lone letter or mark
    # stands alone whatever follows it on the joined lines of its paragraph.
    # A checkbox form with the consent box left empty and the refusal's box ticked, box
    # before or after its word: "[ ] Approve [X] Deny", "Approve [ ] Deny [x]".
    _rule("box ticked for refusal", _R,
          rf"^(?=[\s\S]*(?:{_EMPTY_BOX}\s*{_CONSENT}|\b{_CONSENT}\s*[:=-]?\s*{_EMPTY_BOX}))"
          rf"(?=[\s\S]*(?:{_TICKED_BOX}\s*{_REFUSING}|\b{_REFUSING}\s*[:=-]?\s*{_TICKED_BOX}))"),
    _rule("form answered no", _R, _FORM_FIELD + r"(?:(?:n|0|[\u2717\u2718\u274c\u2612])"
                                  r"(?![\w/'-])|[(\[]\s*(?:n|no)\s*[)\]]"
                                  r"|(?:no|nope|nah|negative|none|false)" + _VALUE_ENDS + ")"),
    _rule("form answered otherwise", _H, _FORM_FIELD + r"(?:\[\s*\]|\(\s*\)"
                                         r"|(?![y1\u2713\u2714\u2611\u2705](?!\S))\S(?!\S)"
                                         r"|(?!(?:yes|yep|ok|true|on)\b)\S{2,3}"
                                         + _VALUE_ENDS + ")"),
    # A refusal negated is no approval either: "Not denied.", "I won't say no."
    _rule("refusal negated", _H, r"(?:\bnot|n't|\bnever)\s+(?:going\s+to\s+|gonna\s+|be\s+)?"
                                 r"(?:den(?:y|ied|ying)|reject\w*|refus\w*|declin\w*"
                                 r"|say(?:ing)?\s+no)\b"),
    _rule("negated consent", _R, rf"\b{_NEGATION}\s+(?:[\w']+\s+){{0,3}}?{_CONSENT}"),
    _rule("no consent", _R, r"\bno\s+(?:approval|go|consent|authori[sz]ation|sign[- ]?off)\b"
                            r"|\bwithout\s+(?:my\s+|any\s+|an\s+)?(?:ap+ro+v|consent)\w*"
                            r"|\b(?:ap+ro+v\w*|consent|authori[sz]ation|sign[- ]?off)\s+(?:is\s+"
                            r"|was\s+|has\s+been\s+)?(?:not|never)\s+(?:yet\s+)?given\b"),
    _rule("saying no", _R, r"\b(?:a|say|saying|said)\s+(?:hard\s+|firm\s+)?no\b(?!-\w)"
                           r"|^\W*(?:hard|firm|big)\s+no\b|\bno[- ]go\b"
                           r"|\b(?:absolutely|definitely|certainly|of\s+course)\s+not\b"
                           r"|\bno\s+(?:way|chance)\b|\bnot\s+a\s+chance\b|\bimpossible\b"
                           r"|\bout\s+of\s+the\s+question\b|\bover\s+my\s+dead\s+body\b"
                           # "My answer is no.", "Decision: hold": an answer given as a word
                           r"|\b(?:answer|decision|verdict|response|vote)\s*(?:is|was|[:=-]|->)?"
                           rf"\s*(?:a\s+)?(?:no|nope|nah|negative|nay|n|hold){_ANSWER_ENDS}"),
    _rule("unable", _R, r"\b(?:unable|not\s+able|not\s+in\s+a\s+position|not\s+prepared"
                        r"|not\s+willing|unwilling)\s+to\b"
                        # "Can't do it.", "Sorry, I can't."
                        r"|\b(?:can'?t|cannot|can\s+not|won'?t|will\s+not)\s+do\s+(?:it|this|that)\b"
                        rf"|\b(?:i|we)\s+(?:can'?t|cannot|won'?t){_ANSWER_ENDS}"),
    _rule("refusal word", _R, r"\b(?:den(?:y|ied|ies|ying|ial|yed)|deney|deined|reject\w*"
                              r"|declin\w*|refus\w*"
                              r"|disapprov\w*|disallow\w*|veto\w*"
                              r"|turn(?:s|ed|ing)?\s+(?:(?:this|it|them|that)(?:\s+one)?\s+)?down"
                              r"|object(?:s|ed|ing)?\s+to)\b"),
    # A consent word made negative by its prefix ("Non-concur", "Unapproved"), or
    # disagreement, objection, opposition and passing said outright.
    # ("Unauthorized use of this mail ..." in a signature is not about the request.)
    _rule("consent negated by prefix", _R, r"\b(?:non[- ]?|un|dis)(?:concur\w*|ap+ro+v\w*"
                                           r"|(?>authori[sz]\w*)(?!\s+(?:use|access|disclos\w*"
                                           r"|review|distribut\w*|copying|persons?|recipients?"
                                           r"|part(?:y|ies)))|acceptabl\w*)|\bdisagree\w*"),
    _rule("objecting", _R, r"\bi\s+(?:(?:am|'m|must|strongly|do)\s+)*(?:object|oppose[ds]?)\b"
                           r"|\b(?:i|we)\s+(?:do\s+)?have\s+(?:some\s+|serious\s+|strong\s+)?"
                           r"objections?\b|^\W*(?:forbidden|prohibited|not\s+permitted)\W*$"
                           r"|^\W*(?:strongly\s+)?(?:object(?:ion)?|opposed)\b"
                           rf"|^\W*(?:hard\s+)?pass{_ANSWER_ENDS}|\bhard\s+pass\b"
                           r"|\b(?:i'?ll|i\s+(?:will|must|have\s+to))\s+(?:have\s+to\s+)?pass"
                           rf"(?:\s+on\s+(?:this|it))?{_ANSWER_ENDS}|\bnot\s+from\s+me\b"),
    # An approval or the request taken back: revoked or withdrawn in the same clause as
    # the approval or the request ("Access revoked" alone confirms a removal), or an
    # approval to be disregarded.
    _rule("approval withdrawn", _R, rf"\b(?:{_CONSENT}|request)\b[^.!?;\n]{{0,40}}?{_WITHDRAWN}"
                                    rf"|{_WITHDRAWN}[^.!?;\n]{{0,40}}?\b(?:{_CONSENT}|request)\b"
                                    r"|\b(?:disregard|ignore|scratch|undo|strike|pull(?:ing|ed)?"
                                    r"|revers\w*|cancel\w*|take\s+back|taking\s+back)\s+"
                                    rf"(?:[\w']+\s+){{0,3}}?(?:{_CONSENT}|yes)\b"),
    # The request itself stopped: "Cancel this request.", "Stop - ...", "Pause this".
    _rule("request stopped", _R, r"^\W*(?:please\s+)?(?:stop|cancel|halt|pause|kill|abort|block)\b"
                                 r"|\b(?:stop|cancel\w*|halt|pause|suspend|kill|abort|block\w*)"
                                 r"\s+(?:this"
                                 r"|it|that|them|(?:the|this)\s+(?:request|onboarding|process"
                                 r"|ticket)|onboarding)\b"
                                 r"|\b(?:request|onboarding|approval)\s+(?:is\s+|was\s+"
                                 r"|has\s+been\s+)?(?:cancel+ed|suspended|paused|halted|stopped)\b"),
    # Not needed, not eligible: the reason given as the answer.
    # ("As long as they don't need custom workflows" is a condition, not a reason.)
    _rule("not needed", _R, r"(?<!\bif\s)(?<!\blong\sas\s)(?<!\bprovided\s)(?<!\bunless\s)"
                            r"\b(?:they|access|it|this|that|accounts?|licen[cs]es?)\s+"
                            r"(?:(?:is|are|do|does)\s*n'?t|(?:is|are|do|does)\s+not|no\s+longer)"
                            r"\s+(?:really\s+)?(?:need\w*|requir\w*|necessary)\b"
                            r"|^\W*not\s+(?:needed|required|necessary)\b"
                            r"|\b(?:not|n't|no\s+longer)\s+(?:on|under|part\s+of|covered\s+by)"
                            r"\s+(?:the|our|this|my|any|their)\s+(?:\w+\s+)?contract\b"
                            r"|\b(?:ineligible|not\s+eligible)\b"),
    _rule("not now", _R, r"\b(?:not|no)\s+(?:at\s+this\s+(?:time|point|moment|stage)"
                         r"|right\s+now|now|yet|for\s+now|this\s+(?:time|quarter|year|month|one))\b"
                         r"|\bnot\s+(?:until|till|before|unless|without)\b"),
    _rule("on hold", _R, r"\b(?:hold(?:ing)?\s+off|on\s+hold|put\s+(?:this|it|them)\s+on\s+hold"
                         r"|hold\s+(?:this|it|the\s+request))\b"),
    _rule("plain no", _R, r"^\W*(?:(?:sorry|unfortunately|regrettably|afraid)\W+(?:but\W+)?)?"
                          r"(?:no+|nope|nah|nay|negative|negatory)\b(?!-\w)|^\W*n\W*$"),
    # "Never." and "never going to happen" refuse; "I never saw the COR letter" doubts.
    _rule("never", _R, r"^\W*never\b(?!\s*mind)|\bnever\s+(?:going|gonna|will|happen\w*"
                       r"|ever)\b"),
    _rule("never said", _D, r"\bnever\b(?!\s*mind)"),
    # Anything below keeps an approval word from approving without making a denial.
    _rule("question", _H, r"\?"),
    # A question typed without its mark: "Did Dana approve this already".
    _rule("question unmarked", _H, r"(?:^|[.!;]\s)\W*(?:who|what|why|where|which|how|whose)\b"
                                   r"|(?:^|[.!;]\s)\W*(?:did|does|do|is|are|was|were|has|have|had"
                                   r"|should|shall|can|could|would|will)\s+(?:i|you|we|they|he|she"
                                   r"|it|this|that|these|those|the|anyone|someone"
                                   r"|(?-i:[A-Z][a-z]+))\b|,\s*(?:right|correct)\W*$"),
    # A consent word beside an empty box is a choice not made: "[ ] Approve", "Approve [ ]".
    _rule("box left empty", _H, rf"{_EMPTY_BOX}\s*{_CONSENT}|\b{_CONSENT}\s*[:=-]?\s*{_EMPTY_BOX}"),
    _rule("condition", _H, r"\b(?:if|once|after(?!\s+all\b)|until|till|unless|provided"
                           r"|providing|pending|when|whenever|as\s+soon\s+as|subject\s+to"
                           r"|contingent|conditional\w*|conditions?|assuming|only\s+for"
                           r"|only\s+if|except|excluding|as\s+long\s+as|so\s+long\s+as"
                           r"|on\s+condition|upon|on\s+(?:receipt|completion|confirmation"
                           r"|signature)|(?<!has\s)(?<!had\s)(?<!have\s)(?<!been\s)(?<!was\s)given\s+"
                           r"(?:that|the|they|their)|barring|save\s+for"
                           r"|apart\s+from|aside\s+from|other\s+than|sans|exception\w*)\b"),
    # What must come first: "Approved, need the DUA", "Approved - COR to confirm".
    _rule("requirement", _H, r"\b(?:before|beforehand|first|await\w*|wait\w*|hold|pause\w*"
                             r"|make\s+sure|ensure|be\s+sure"
                             r"|stop|cancel\w*|suspend\w*|need(?:s|ed)?|must|requir\w*"
                             r"|prerequisite\w*|to\s+(?:be\s+)?confirm\w*)\b"),
    # The decision or its terms kept somewhere else: "Approved (see the Teams thread)".
    _rule("said elsewhere", _H, r"\bsee\s+(?:[\w']+\s+){0,3}?(?:thread|chat|portal|notes?"
                                r"|comments?|e-?mail|mail|details|below|above)\b"
                                r"|\bfor\s+(?:the\s+|more\s+)?details\b"),
    # Less than was asked: "Approved for 10 users only", "Approved minus Slack".
    _rule("limitation", _H, r"\b(?:only|solely|exclusively|exclud\w*|minus|w/o|max(?:imum)?"
                            r"|at\s+most|up\s+to|no\s+more\s+than|limit\w*|restrict\w*"
                            r"|caveats?|reservations?|in\s+part|half|read[- ]?only|trial"
                            r"|pilot|probation\w*|the\s+rest|remaining|some\s+of|most\s+of"
                            r"|mostly|less(?=\s+(?!than\b)\w)|\d+\s+of\s+(?:the\s+)?\d+"
                            r"|short[- ]term|expir\w*"
                            r"|for\s+(?:\d+|one|two"
                            r"|three|six|a\s+few)\s+(?:days?|weeks?|months?))(?![\w/])"),
    # Later than now: "Approving shortly", "Approved starting next month".
    _rule("later", _H, r"(?<!talk\s)(?<!speak\s)(?<!chat\s)(?<!you\s)\b(?:soon|shortly"
                       r"|later|tomorrow|tonight|eventually|about\s+to|starting|revisit\w*"
                       r"|effective(?!\s+(?:immediately|today|now))|as\s+of(?!\s+(?:today|now))"
                       r"|ahead\s+of|in\s+advance|pre-?ap+ro+v\w*|to\s+follow"
                       r"|re-?(?:evaluat|assess|review)\w*|in\s+(?:\d+|a\s+few|one|two|three"
                       r"|six)\s+(?:days?|weeks?|months?)"
                       r"|in\s+a\s+(?:bit|while|moment|few)|next\s+(?:week|month|quarter|year"
                       r"|fy|fiscal|monday|tuesday|wednesday|thursday|friday))\b"),
    # Someone else's approval reported, not this approver's own ("The COR approved it",
    # "Already approved by Dana"); what a COR line exists to say, so it reads these apart
    # (parsers/cor.py).
    _rule("hearsay", _H, r"\b(?:(?:he|she|they|someone|somebody|(?:the|my|our|your)\s+(?:cor"
                         r"|boss|director|manager|lead|deputy|so|team|supervisor|chief))\s+"
                         r"(?:has\s+|had\s+|have\s+|already\s+)*ap+ro+v\w*"
                         r"|(?:already|previously|earlier)\s+ap+ro+v\w*"
                         r"|per(?!\s+(?:your|our|my|this|the\s+request)\b)|according\s+to|says?|said"
                         r"|told\s+(?:me|us)|(?:was|were|am|'m)\s+told|defer\w*)\b"),
    # Words that doubt the report itself, wherever it is read.
    _rule("rumour", _H, r"\b(?:heard|supposedly|reportedly|apparently|allegedly)\b"),
    _rule("contrast", _H, r"\b(?:but|however|although|though|yet|otherwise|instead|rather)\b"),
    _rule("doubt", _H, r"\b(?:maybe|perhaps|probably|possibly|likely|might|may|would|could"
                       r"|should|guess|think|believe|suppose|seems?|hopefully|normally"
                       r"|usually|in\s+principle|tentative\w*|provisional\w*|partial\w*"
                       r"|partly|for\s+now|for\s+the\s+time\s+being|temporar\w*|interim"
                       r"|kind\s+of|sort\s+of|kinda|sorta|somewhat|more\s+or\s+less|hope\w*"
                       r"|in\s+theory|on\s+paper|in\s+a\s+sense|(?:i|we)'d|id(?=\s+(?:approve|have)))\b"
                       r"|-ish\b"),
    # Our mail acknowledged is not our question answered ("Yes, received."), and what
    # was done by mistake or on something else is not this approval. Only an opening
    # acknowledgment counts: "Received from Dana Smith: approved" states a COR's approval.
    _rule("receipt only", _H, r"^\W*(?:(?:yes|ok(?:ay)?)\W+)?(?:i\s+)?(?:receiv\w*(?!\s+from)"
                              r"|got\s+(?:it|this|your)|noted|acknowledg\w*|thanks\s+for"
                              r"\s+(?:the|your)\s+(?:note|mail|e-?mail|message|request|heads))"
                              r"\b|\b(?:will\s+do|looking\s+into)\b"),
    _rule("by mistake", _H, r"\b(?:by\s+mistake|mistaken\w*|in\s+error|wrong\s+(?:request|one"
                            r"|ticket|service|mail|e-?mail|thread|form|link)|typo\w*|kidding"
                            r"|joking|jk|wrong|accident\w*|misclick\w*|oops|ignore|disregard"
                            r"|never\s*mind|too\s+(?:soon|early))\b"),
    # A promise, an ability or a request to approve is not the approval itself ("Dana,
    # please approve"), nor is "to approve" ("Leaving this to Dana to approve"), but for
    # the glad "Happy to approve".
    _rule("not yet given", _H, r"\b(?:will|'ll|shall|going\s+to|plan\s+to|intend\s+to|can"
                               r"|able\s+to|please)\s+(?:\w+\s+)?ap+ro+v\w*"
                               r"|(?<!happy\s)(?<!glad\s)(?<!pleased\s)\bto\s+(?:be\s+)?ap+ro+v\w*"),
    _rule("negation", _H, r"\b(?:not|no|never|none|nor|neither|without|cannot|cant|dont|wont"
                          r"|didnt|doesnt|isnt|wasnt|arent|havent|hasnt|shouldnt|couldnt"
                          r"|wouldnt)\b|n't\b"),
    # Consent, in the few wordings that leave no doubt.
    _rule("approve", _C, r"\b(?:ap+r+o+v(?:e|ed|d|ing)?|i\s+approve|you\s+have\s+my\s+approval"
                         r"|approval\s+(?:granted|given))\b"),
    _rule("concur", _C, r"\b(?:i\s+)?concur\b|\bi\s+agree\b|^\W*agreed\b"),
    _rule("proceed", _C, r"\b(?:ok(?:ay)?|good|clear(?:ed)?|fine)\s+to\s+(?:proceed|go|onboard"
                         r"|provision)\b"
                         r"|\bgo\s+ahead\b|\bplease\s+proceed\b"),
    _rule("no objection", _C, r"\b(?:i\s+have\s+)?no\s+objections?\b"),
    _rule("support", _C, r"\bi\s+(?:fully\s+)?support\s+(?:this|the)\s+request\b"),
    _rule("granted", _C, r"\b(?:granted|authori[sz]ed|signed\s+off)\b"),
    # A bare "Yes" answers "Approve or Deny?" with neither word: it gets a clarification.
    _rule("yes", _C, r"^\W*(?:yes|yep|yeah|yup|affirmative)\b(?=\W+\w)", whole_paragraph=True),
)

# What, below the deciding paragraph, still takes an approval back: all but consent.
# "Approved.\n\nNot for Slack though." is a conditional approval.
_TAKES_APPROVAL_BACK = tuple(r for r in RULES if r.kind is not Kind.CONSENT)
_CONSENT_RULES = tuple(r for r in RULES if r.kind is Kind.CONSENT)

# Phrases that look like a refusal or a condition and are neither: consent that carries
# a "no" ("No objection, approved"), asking to be told of what follows ("let me know
# when the accounts are set up"), and offering help. They are blanked (same length, so
# match positions still index the reply) before the refusal, doubt and hedge rules read the
# text; the consent rules read it as written.
# "No objection", "no concerns": consent, not a negation.
_NO_CONCERN = r"\bno\s+(?:problems?|issues?|objections?|concerns?|worries)\b"
_BENIGN = re.compile(rf"{_NO_CONCERN}"
                     r"|\b(?:let\s+(?:me|us)\s+know|keep\s+(?:me|us)\s+posted|notify\s+(?:me|us)"
                     r"|tell\s+(?:me|us))\s+(?:when|once|as\s+soon\s+as)\b"
                     # and help offered: "let me know if you need anything else"
                     r"|\b(?:let\s+(?:me|us)\s+know|reach\s+out|ask)\s+if\s+(?:you|they|\w+)"
                     r"\s+(?:need|needs|have|has)\s+(?:anything|any|help|questions?)\b",
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
# A typed smiley, which a form's rules would read as a field's value ("Approved :)").
_SMILEY = re.compile(r"(?<![\w:;])[:;]-?[)D](?!\w)")
# The line that opens a signature by convention ("-- "); nothing below it is a decision.
_SIGNATURE_DELIMITER = re.compile(r"^--[ \t]*$", re.MULTILINE)
# A paragraph that says it is a notice is one whatever its length.
_NOTICE_LABEL = re.compile(r"^\W*(?:(?:confidentiality|legal|privacy|security)\s+(?:notice"
                           r"|statement|warning|disclaimer)|disclaimer)\b", re.IGNORECASE)
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening)|greetings|all|team"
    r"|onboarding\s+team)\b[^.!?:]{0,40}[,!:]?\s*$", re.IGNORECASE)


# An approval must stand apart: each clause that holds a consent word may hold beside it
# only words that cannot change what it grants. The hedge rules above know many ways
# of taking an approval back; this list is what keeps the ways they do not know ("Dana
# approved this yesterday", "Approved for the pilot") from approving. A word missing
# here costs a clarification, never a false approval.
_HARMLESS_WORDS = frozenset(word for group in (
    # consent and assent themselves
    "approve approved approves approving approval concur concurs concurred agree agreed"
    " granted given authorized authorised authorize authorise signed off support supported"
    " proceed go ahead ok okay good clear cleared fine yes yep yeah yup sure affirmative"
    " confirmed lgtm y decision",
    # who grants what to whom
    " i we me my our us you your it this that these those them they their the a an all"
    " both each is are am be been being has have do does i'm we're it's that's i've we've",
    " request requests requested onboarding access accounts account application ask"
    " submission ticket service services team contractor contract organization org"
    " company vendor users user staff people persons seats licenses licences members"
    " contact contacts role roles new spoc",
    " for of on behalf by with from as and to in full side end here now today",
    # manner, courtesy and what to do next
    " hereby fully formally officially happily gladly definitely absolutely certainly"
    " totally wholeheartedly also too please kindly thanks thank happy glad pleased great"
    " looks look welcome aboard onboard provision set up get thx ty you're they're"
    " submitted proposed",
) for word in group.split())
# Phrases whose words would not pass alone: "after" can set a condition, "one" a number
# ("Approved for one user"), "changes" or "issues" a reservation ("Approved with
# changes"), "consider" a request ("Consider approving this").
_HARMLESS_PHRASES = re.compile(
    r"\bafter\s+all\b|\bhave\s+a\s+(?:great|good|nice)\s+(?:day|week|weekend)\b"
    # a form's own marks: "Approved (Y/N): Y", "[X] Approve"
    rf"|[(\[]\s*{_YES_OR_NO}\s*[)\]]|{_TICKED_BOX}"
    # asking to be told it is done: "let us know once they are on board"
    r"|\blet\s+(?:us|me)\s+know\s+(?:once|when)\s+(?:they|it|this|that)(?:'re|'s|\s+(?:are|is))"
    r"\s+(?:on\s*board|set\s+up|done|provisioned|live|in)\b"
    r"|\b(?:this|that)\s+one(?:'s)?\b|\bconsider\s+(?:this|it)\s+ap+r+o+ved\b"
    r"|\b(?:this|the|these|that)\s+(?:contact\s+)?(?:change|update)s?\b"
    rf"|{_NO_CONCERN}", re.IGNORECASE)
# What ends a sentence, and within one a clause: clause marks, brackets, and a dash that
# is not inside a word ("Approved - thanks", but "read-only" is one word). The sentence
# that holds a consent word is what must stand apart, every clause of it: "Yeah,
# approved, just like the last three that went nowhere" approves nothing.
_SENTENCE_BREAK = re.compile(r"[.!?;\n]")
_CLAUSE_BREAK = re.compile(r"[,:()\[\]{}|]|(?<!\w)-+|-+(?!\w)")
# A clause of thanks or apology beside an approval changes nothing ("Approved, thanks for
# the heads up"), unless it negates ("thanks for nothing").
_COURTESY = re.compile(r"^\W*(?:(?:many\s+)?thanks|thank\s+you|thx|ty|sorry|apologies"
                       r"|(?:much\s+)?appreciated?|cheers)\b(?![\s\S]*\b(?:no|not|nothing"
                       r"|never)\b)", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def read_decision(reply_text: str, names: Iterable[str] = ()) -> DecisionReading:
    """The decision in the first paragraph of the reply's own words.

    The later paragraphs are the reason or a note. They can only take an approval
    away: a refusal, doubt or hedge anywhere in them turns an approval into unclear.
    `names` are what the request itself is called (its reference, organization and
    services, the people on it), which may stand beside an approval.
    """
    lines, rest = _deciding_lines(reply_text)
    head = " ".join(lines)
    if not head:
        return DecisionReading(Verdict.UNCLEAR, None)
    rule, match = _first_match(head, RULES)
    if rule is None or match is None:
        return DecisionReading(Verdict.UNCLEAR, None)
    verdict = VERDICT_OF[rule.kind]
    if verdict is Verdict.UNCLEAR:
        return DecisionReading(Verdict.UNCLEAR, None, match.group(0), rule.name)
    if verdict is Verdict.APPROVE:
        stray = words_beside_consent("\n".join(lines), names)
        if stray:
            return DecisionReading(Verdict.UNCLEAR, None, stray, "consent not set apart")
        other = _another_request(f"{head}\n{rest}", names)
        if other:
            return DecisionReading(Verdict.UNCLEAR, None, other, "another request named")
        later, _ = _first_match(rest, _TAKES_APPROVAL_BACK)
        if later is not None:
            return DecisionReading(Verdict.UNCLEAR, None, rule=f"{later.name} further down")
    return _reading(verdict, head, rest, match, rule)


def words_beside_consent(text: str, names: Iterable[str] = ()) -> str:
    """The words of `text`'s consenting sentences that are not known to leave the
    consent whole, or "" when every sentence that consents stands apart."""
    known = _HARMLESS_WORDS | {w.lower() for name in names for w in _WORD.findall(name)}
    stray: list[str] = []
    consenting = [rule for rule in _CONSENT_RULES if rule.search(text)]
    whole = bool(consenting) and all(rule.whole_paragraph for rule in consenting)
    for sentence in [text] if whole else _SENTENCE_BREAK.split(text):
        if not any(rule.search(sentence) for rule in consenting):
            continue
        for clause in _CLAUSE_BREAK.split(_HARMLESS_PHRASES.sub(" ", sentence)):
            if _COURTESY.match(clause):
                continue
            for rule in consenting:  # the consent words themselves, as typed ("aproved")
                clause = rule.pattern.sub(" ", clause)
            for word in _WORD.findall(clause.lower()):
                if word not in known and word.removesuffix("'s") not in known:
                    stray.append(word)
    return " ".join(stray)


def _another_request(text: str, names: Iterable[str]) -> str:
    """A request reference in `text` that is not one of `names` ("Approved - ONB-2026-0043
    (the Confluence one)" answers another request), or ""."""
    ours = {name.upper() for name in names}
    return next((m.group(1) for m in REFERENCE_TAG.finditer(text)
                 if m.group(1).upper() not in ours), "")


def deciding_words(reply_text: str) -> tuple[str, str]:
    """(the first paragraph of the reply's own words, its lines joined, and the
    paragraphs after it up to a signature or a legal notice), normalised: what a reader
    of an answer to us decides on."""
    lines, rest = _deciding_lines(reply_text)
    return " ".join(lines), rest


def _deciding_lines(reply_text: str) -> tuple[list[str], str]:
    text = _SIGNATURE_DELIMITER.split(plain_text(reply_text), maxsplit=1)[0]
    text = _SMILEY.sub(" ", text)
    lines, rest = _first_paragraph(text)
    return lines, _before_legal_notice(rest)


def rule_in(text: str, *kinds: Kind) -> WordRule | None:
    """The first rule of one of `kinds` that matches anywhere in `text`, or None.

    For readers of other mail (a COR's approval line or forwarded mail) that want the
    approvers' words without the first-paragraph reading.
    """
    return first_rule(text, tuple(r for r in RULES if r.kind in kinds))


# Every refusal, doubt and hedge but a pointer to where the details are: what objects to
# a removal confirmed ("Access removed, see the ticket for details").
OBJECTIONS = tuple(rule for rule in RULES if rule.kind is not Kind.CONSENT
                   and rule.name != "said elsewhere")


def first_rule(text: str, rules: tuple[WordRule, ...]) -> WordRule | None:
    """The first of `rules` (a selection of RULES, in order) that matches `text`."""
    rule, _ = _first_match(plain_text(text), rules)
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


def _first_paragraph(text: str) -> tuple[list[str], str]:
    """(the lines of the first paragraph that is not only a greeting, everything after
    it)."""
    lines = text.strip().splitlines()
    while lines and (not lines[0].strip() or _GREETING.match(lines[0])):
        lines.pop(0)
    head: list[str] = []
    for index, line in enumerate(lines):
        if not line.strip() and head:
            return head, "\n".join(lines[index + 1:]).strip()
        if line.strip():
            head.append(line.strip())
    return head, ""


_REFUSAL_WORD = next(r.pattern for r in RULES if r.name == "refusal word")


def _before_legal_notice(text: str) -> str:
    """`text` up to the first paragraph that is a legal notice (see _NOTICE_MARKS)."""
    paragraphs = re.split(r"\n\s*\n", text)
    for index, paragraph in enumerate(paragraphs):
        said_to_be = bool(_NOTICE_LABEL.match(paragraph))
        if ((said_to_be or (len(paragraph.split()) >= NOTICE_MIN_WORDS
                            and sum(1 for mark in _NOTICE_MARKS if mark.search(paragraph)) >= 2))
                and not _REFUSAL_WORD.search(paragraph)):
            return "\n\n".join(paragraphs[:index]).strip()
    return text
