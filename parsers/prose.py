"""Request facts stated in sentences rather than labels, as raw values like labels give.

"We are Acme Health Solutions and need Jira for about 40 staff to track defects; our
COR Dana Smith approved this on 3/2" states four facts without one label. This reader
finds them with a few sentence shapes and hands back the same raw text a label would
have carried, so the numbers, the COR evidence and the echo are read one way whatever
the source. It is only asked for facts the labels left missing, takes a fact only when
a sentence clearly states it, and the acknowledgment says back what it took and where
from, so that a misreading costs the sender one reply.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from onboardd.parsers.cor import says_approve
from onboardd.parsers.model import Address, CatalogEntry, KnownOrganization
from onboardd.parsers.numbers import NUMBER_WORDS, parse_user_count
from onboardd.parsers.services import services_named_in
from onboardd.parsers.wording import plain_text

# Where a fact came from, as RequestFacts.sources and the acknowledgment name it.
FROM_SENTENCE = "a sentence"
FROM_DOMAIN = "the domain of your mail address"

# A proper name: capitalised words, with "of", "and", "&" between two of them.
_CAPITALISED = r"[A-Z][\w&'.-]*"
_JOINED = r"\s+(?:(?:of|and|for|the|&)\s+)?"
_NAME = rf"{_CAPITALISED}(?:{_JOINED}{_CAPITALISED})*"
# An organization's words: a proper name without "for", which begins what it is for.
_ORG_WORDS = rf"{_CAPITALISED}(?:\s+(?:(?:of|and|the|&)\s+)?{_CAPITALISED})*"
# The legal endings of a company's name.
_LEGAL_END = r"(?:Inc\.?|LLC|Corp\.?|Co\.|Ltd\.?)"
# A person's name as people write it beside "COR": "Dana Smith", "Dana J. Smith".
_PERSON = r"[A-Z][a-z'-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'-]+){1,2}"
# "Dana" or "Dana Smith" introducing themselves: "This is Dana from ...".
_FIRST_NAME = r"[A-Z][a-z'-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'-]+){0,2}"
# A name as organizations end theirs ("... Data Services", "... Quality Improvement",
# "... LLC"), for the patterns that would otherwise take a service or a team for one
# (never "CMS ...", "Department of ..." or "Office of ...": the agency's own teams and
# systems, and a COR's signature; nor "Quality Review" alone).
_ORG_END = (r"(?:Inc\.?|LLC|Corp\.?|Corporation|Company|Co\.?|Group|Solutions|Services|Analytics"
            r"|Alliance|Network|Federal|Consultants"
            r"|Health|Healthcare|Research|Consulting|Partners|Systems|Technologies|Data"
            r"|Quality|Improvement|Institute|Associates|Informatics|Metrics|Measures"
            r"|Strategies|Initiatives|Assurance|Review|Evaluation|Sciences|Collaborative"
            r"|Enterprises|Works)")
_ORG_NAME = (rf"(?!CMS\b|Department\b|Centers\b|Office\b|{_ORG_END}\b)"
             rf"{_ORG_WORDS}\s+{_ORG_END}(?:,?\s+(?:Inc\.?|LLC))?(?![\w&'-])")
# Two capitalised words or more: a name after a lead-in clause, where one word would
# as often be a sentence's first ("Business justification: Staff need ...").
_NAMES_OF_TWO = rf"{_CAPITALISED}(?:{_JOINED}{_CAPITALISED})+"
# What an organization does as the subject of a request ("X would now also like ...");
# the bare "request" and "need" of a writer whose English is not native only before a
# name ("X request Confluence"), not as a noun ("Quick request from ...").
_ASKS = (r"(?:(?:now|also|really|still)\s+)*(?:would\s+(?:now\s+|also\s+)*(?:like|love)"
         r"|is\s+(?:requesting|asking|hoping|looking)|requests|needs|wants?|hopes?"
         r"|(?:request|need)\s+(?=[A-Z]))\b")
_ORGANIZATION = (
    # "This is Jane Doe from Acme ..." before "this is X": the name there is a person's.
    re.compile(rf"\b(?i:I'm|I am|this is|it's|it is)\s+{_FIRST_NAME}\s*,?\s+(?i:from|at|with)"
               rf"\s+(?:the\s+)?(?P<name>{_NAME})"),
    re.compile(rf"\b(?i:hello|hi|greetings)\s+(?i:from)\s+(?:the\s+)?(?P<name>{_NAME})"),
    re.compile(rf"\b(?i:writing|reaching out|contacting you|e-?mailing you)\s+(?i:from)\s+"
               rf"(?:the\s+)?(?P<name>{_NAME})"),
    re.compile(rf"^{_PERSON}\s+(?i:from)\s+(?P<name>{_NAME})\s+(?i:here)\b"),
    re.compile(rf"\b(?i:we are|we're)\s+(?:the\s+)?(?P<name>{_NAME})"),
    # "This is X" names many things ("This is URGENT"); only with a request after it.
    re.compile(rf"\b(?i:this is)\s+(?:the\s+)?(?P<name>{_NAME})\s*,?\s+"
               rf"(?i:requesting|here|writing|reaching out|and we|asking)\b"),
    re.compile(rf"\b(?i:on behalf of)\s+(?:the\s+)?(?P<name>{_NAME})"),
    re.compile(rf"\bI (?i:work|am) (?i:at|for|with)\s+(?P<name>{_NAME})"),
    # At the start of a sentence or of a clause after a greeting or a lead-in ("Hi
    # onboarding team, X would like ...", "As a next step, X would now also like ...").
    re.compile(rf"(?:^|[.!?]\s+)(?P<name>{_NAME})\s+{_ASKS}"),
    re.compile(rf"(?:[,;:]\s+|\s-+\s)(?P<name>{_NAMES_OF_TWO})\s+{_ASKS}"),
    re.compile(rf"\b(?i:here at|my team at|our team at|we at)\s+(?P<name>{_NAME})"),
    re.compile(rf"\b(?i:our (?:company|firm|organization|organisation|team))\s*,\s*"
               rf"(?P<name>{_NAME})\s*,"),
    re.compile(rf"\b(?i:(?:our|my) (?:company|firm|organization|organisation))\s+"
               rf"(?P<name>{_NAME})"),
    re.compile(rf"\bI(?:'m| am)\s+(?:the|a|an)\s+[a-z][a-z ]{{2,40}}?\s+(?i:at|with|for)\s+"
               rf"(?P<name>{_NAME})"),
    # "We are a small team of 6 analysts at X"
    re.compile(rf"\b(?i:we are|we're)\s+(?:a|an)\s+[a-z][\w ]{{2,60}}?\s+(?i:at|with|from)\s+"
               rf"(?:the\s+)?(?P<name>{_NAME})"),
    # Last, and only for a name that ends as organizations do: "... for Granite State
    # Quality Improvement", "Request from X:", "X - request for IDM", "three of us at X".
    re.compile(rf"(?:\b(?i:for|from|at)\s+(?:the\s+)?|\()(?P<name>{_ORG_NAME})\b"),
    re.compile(rf"^(?P<name>{_ORG_NAME})\s*(?::|\s-+\s)"),
)
# Read line by line when no sentence names the organization: a line that is only its
# name, as a heading or a signature's line ("Alder Creek Consulting", "Tasha Greene |
# Sagebrush Analytics Inc."), or a name with a company's legal ending wherever it stands
# on its line ("Driftwood Systems Integration LLC again (we asked ...)").
_ORG_LINES = (
    re.compile(rf"^(?:[^|]+\|\s*)?(?P<name>{_ORG_NAME})\.?\s*$"),
    re.compile(rf"(?P<name>(?!CMS\b){_ORG_WORDS},?\s+{_LEGAL_END})(?![\w&'-])"),
)
# Words that begin a sentence but name no organization.
_NOT_A_NAME = frozenset({"we", "i", "our", "the", "this", "it", "please", "hello", "hi",
                         "thanks", "thank", "dear", "team", "jira", "slack", "confluence"})
_PEOPLE = (r"users?|staff|people|persons|team\s+members|members|employees|accounts"
           r"|seats|licen[cs]es|analysts|developers|engineers|testers|contractors"
           r"|reviewers|abstractors|nurses|coders|individuals|folks|personnel"
           r"|consultants|evaluators|researchers|writers|advisors|advisers|specialists"
           r"|clinicians|coordinators|administrators|admins|agents|auditors|architects"
           r"|managers|programmers|scientists|statisticians|hires|devs|ppl|staffs")
# A count in digits or number words ("twenty-five", "a dozen"), never other words: "Data
# Works LLC - 4 users" is a name before a count, not a range.
_AMOUNT = (r"(?:about|around|approximately|approx\.?|roughly|nearly|some|up to|at most"
           r"|no more than|~)?\s*"
           rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+|(?:a\s+)?(?:{NUMBER_WORDS})"
           rf"(?:[- ](?:and[- ])?(?:{NUMBER_WORDS}))*)"
           r"(?:\s*(?:-|to)\s*\d+)?(?:\s*\(\d+\))?")
# Up to three words may stand between a count and its people ("8 new QI advisors"), but
# never a word that joins or places ("version 2 of the users guide") nor a number word
# ("one hundred nurse reviewers" is one count).
_QUALIFIER = (rf"(?:(?!(?:of|the|our|their|and|or|to|for|in|on|at|with|from|by|per"
              rf"|{NUMBER_WORDS}|\w+teen)\b)[a-z][a-z-]*\s+){{0,3}}")
_COUNT = (
    re.compile(rf"(?<![\w$#/.:-])(?P<count>{_AMOUNT})\s+{_QUALIFIER}(?:{_PEOPLE})\b",
               re.IGNORECASE),
    re.compile(rf"\b(?:team|group|staff)\s+of\s+(?P<count>{_AMOUNT})\b", re.IGNORECASE),
    # "about 25 of us", "around 20 of our staff", "5 of our release managers"
    re.compile(rf"(?<![\w$#/.:-])(?P<count>{_AMOUNT})\s+of\s+(?:us\b|(?:our|their)\s+"
               rf"(?:team\b|{_QUALIFIER}(?:{_PEOPLE})\b))", re.IGNORECASE),
    # "They are 11 in number"
    re.compile(rf"(?<![\w$#/.:-])(?P<count>{_AMOUNT})\s+in\s+number\b", re.IGNORECASE),
    # "our 12-member team", "a 9-person measure team"
    re.compile(r"(?<![\w$#/.:-])(?P<count>\d+|[a-z]+(?:-[a-z]+)?)-(?:person|member|strong)\b",
               re.IGNORECASE),
)
_INLINE_REASON = re.compile(
    r"\b(?:business\s+)?(?:justification|reason|purpose)\s*(?:is|:|-)\s*"
    r"(?P<reason>[^.!?;\n]{6,}[.!?]?)", re.IGNORECASE)
_PURPOSE = re.compile(
    # "... so the help desk can triage ...", "... so our measure leads can ask ...": a
    # purpose on its own, without a need beside it.
    r"\b[Ss]o\s+(?:that\s+)?(?P<so>(?:the|our|we|they|[a-z]+\s+[a-z]+)\b[^.!?;\n]{0,40}?"
    r"\b(?:can|could|will|may)\s+[a-z][^.!?;\n]{6,}[.!?]?)"
    # The others are purposes only of a need ("need Jira to track defects", not "talk
    # to Dana").
    r"|\b(?:in order to|to)\s+(?P<reason>(?!be\b|the\b|a\b|an\b"
    r"|our\b|your\b|you\b|us\b|me\b|it\b|this\b|that\b|access\b|request\b|onboard\b"
    r"|add\b|get\b|use\b|have\b|ask\b|thank\b|join\b)[a-z]+\b[^.!?;\n]{6,}[.!?]?)"
    # "... for 25 users for managing user roles ..."
    r"|\bfor\s+(?P<gerund>[a-z]+ing\b[^.!?;\n]{6,}[.!?]?)"
    # "... for 40 staff who will track defects ...", "... 4 staff who submit the data"
    r"|\b(?:who|that)\s+(?:will|would|'ll)\s+(?P<who>(?!be\b|need\b|have\b|not\b)[a-z]+\b"
    r"[^.!?;\n]{6,}[.!?]?)"
    r"|\bwho\s+(?P<does>(?!(?:are|is|was|were|have|has|had|need|needs|will|would|can|could"
    r"|do|does|did|may|might|also|already|just)\b)[a-z]+\b[^.!?;\n]{6,}[.!?]?)"
    # "We need it because the CMS team logs its data requests in Jira", "The main use is
    # writing requirements"
    r"|\bbecause\s+(?P<because>(?!of\b)[a-z][^.!?;\n]{6,}[.!?]?)"
    r"|\b(?:main|primary)\s+use\s+(?:is|will\s+be)\s+(?P<main>[a-z][^.!?;\n]{6,}[.!?]?)"
    # "They'll use it for specification drafts", "It would be used by 16 staff to ..."
    r"|\b(?:use|used|using)\b[^.!?;\n]{0,40}?\b(?:for|to)\s+(?P<use>(?!the\s+same\b|be\b)[a-z]"
    r"[^.!?;\n]{6,}[.!?]?)")
# "needs Jira for defect tracking", "Confluence for the evaluation reports": what the
# service is for, but not who ("for our new hires") nor how many ("for 10 users"); read
# only where the sentence gives no other purpose.
_FOR_PURPOSE = re.compile(
    rf"(?:\b[A-Z][\w-]*\)?|\b(?:{_PEOPLE}|needed|mainly|primarily|mostly|it's))\s*,?\s+"
    rf"(?P<what>for\s+"
    rf"(?:(?:the|their|its|our)\s+(?![A-Z][\w-]*\s*(?:[,.;]|$))"
    rf"|(?!(?:them|us|you|all|each|every|about|approximately|around|up|now|a|an|in|on|at"
    rf"|by|to|with|from|of|this|that|these|those|{NUMBER_WORDS})\b)(?=[a-z]))"
    r"[\w-]+(?:\s+[\w-]+)+[^.!?;,\n]*)")
# The words of a "for ..." purpose up to its first preposition: who it is for when they
# hold a people word ("for our QPP data validation team", "for roughly 100 nurse
# reviewers"), what it is for otherwise ("for quick coordination with the CMS team").
_HEAD_OF_PHRASE = re.compile(r"^.*?(?=(?<![\w-])(?:with|to|in|on|at|during|so|and|across"
                             r"|between|for|from|of|by|who|that)(?![\w-])|$)")
_WHO = re.compile(rf"\b(?:{_PEOPLE}|teams?|groups?|company|organi[sz]ation|roughly|nearly"
                  rf"|about|approximately|\d+)\b", re.IGNORECASE)
# A purpose that is the request itself ("to request access to Confluence", "writing for
# requesting Slack", "to create the Jira access"), typos and all.
_THE_REQUEST_ITSELF = re.compile(r"^(?:[\w'-]+\s+){0,2}?(?:acc?ess|re?qu?e?st\w*|apply\w*"
                                 r"|creat(?:e|ing))\b", re.IGNORECASE)
# A sentence that is all purpose: "This is so our analysts can ...", "This is to publish".
_PURPOSE_SENTENCE = re.compile(
    r"^(?:this|it)(?: is|'s) (?:so\s+(?:that\s+)?|to\s+|for\s+)"
    r"(?P<reason>[a-z][^.!?;\n]{6,}[.!?]?)",
    re.IGNORECASE)
_NEED = re.compile(r"(?:\b(?:need|needs|needed|would like|requesting|request|requests|access"
                   r"|add|(?:want(?:s|ed)?|wish(?:es)?)\s+to(?!\s+(?:thank|say|let|ask)\b)"
                   r"|use it|use them|use the|ask(?:s|ing)?\s+for|wants?\s+(?=(?-i:[A-Z]))"
                   r"|could\s+use"
                   r"|(?:will|would|'ll)\s+(?:be\s+)?(?:use[sd]?|using)|(?:is|are)\s+for)|'d\s+like)\b",
                   re.IGNORECASE)
_COR = re.compile(r"\bCORs?\b|\bcontracting officer", re.IGNORECASE)
_COR_TITLE = r"(?:\bCOR\b|\b[Cc]ontracting [Oo]fficer'?s? [Rr]epresentative\b)"
# A sentence ends at its mark, but not after a title ("Our COR Mr. Daniel Brooks").
_SENTENCE = re.compile(r"(?<=[.!?;])(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bDr\.)"
                       r"\s+(?=[A-Z(\"'])|\n\s*\n")
# A name before a people word or a part of an organization is what the people are or
# whose part it is, not who they work for: "We are CMS contractors", "from the CMS team".
_DESCRIBED = re.compile(rf"\s+(?:{_PEOPLE}|teams?|groups?|office|side|division|department)\b",
                        re.IGNORECASE)
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# The COR's name beside the word: "our COR Dana Smith", "COR, Dana Smith,", "Dana Smith
# (COR)", "Dana Smith, our COR,".
_COR_PERSON_AFTER = re.compile(
    rf"{_COR_TITLE}\s*[,:(-]?\s*(?:is\s+)?(?P<person>{_PERSON})")
_COR_PERSON_BEFORE = re.compile(
    rf"(?P<person>{_PERSON})\s*(?:,\s*|\(\s*)(?:our\s+|the\s+|my\s+)?{_COR_TITLE}")
# A sentence that opens with a person approving: "Maria Delgado approved this on 3/17.",
# "Dana Smith (dana.smith@cms.example.gov) has approved it."
_PERSON_APPROVED = re.compile(rf"^(?P<person>{_PERSON})\s*(?:\([^)]*\)\s*)?(?:has\s+)?"
                              r"(?:approved|signed\s+off)\b")
# Capitalised words beside "COR" that are no one's name ("COR Approval Obtained").
_NOT_A_PERSON = frozenset({"approval", "approved", "approves", "obtained", "confirmed",
                           "has", "have", "signed", "given", "granted", "received"})


def read_prose(
    text: str,
    wanted: Collection[str],
    *,
    sender: Address | None = None,
    organizations: tuple[KnownOrganization, ...] = (),
) -> dict[str, tuple[str, str]]:
    """fact -> (raw value, where it was read) for the `wanted` facts the mail's own words
    state outside labels. The organization may also be one of the directory's, named in
    the text or owning the sender's mail domain, always under its directory name."""
    stated = read_sentences(text, sender_name=sender.name if sender else "")
    found = {fact: (value, FROM_SENTENCE) for fact, value in stated.items() if fact in wanted}
    if "organization" in wanted:
        known = _known_organization(text, found.get("organization"), sender, organizations)
        if known:
            found["organization"] = known
    return found


def read_sentences(text: str, *, sender_name: str = "") -> dict[str, str]:
    """Raw values of the facts that sentences of `text` state; label-like keys as
    parsers/labels.py gives them ("organization", "justification", "user_count", "cor").

    `sender_name` keeps "This is Jane Doe requesting Jira" from naming Jane Doe the
    organization."""
    plain = plain_text(text)
    sentences = [" ".join(s.split()) for s in _SENTENCE.split(plain) if s.strip()]
    found: dict[str, str] = {}
    for sentence in sentences:
        _take(found, "organization", _organization(sentence, sender_name))
        _take(found, "user_count", _count(sentence))
        _take(found, "justification", _reason(sentence))
        if "cor" not in found and (said := _cor_said(sentence)):
            found["cor"] = _cor_line(said)
    if "organization" not in found:
        lines = [line.strip() for line in plain.splitlines()]
        named = (_named(pattern.search(line)) for pattern in _ORG_LINES for line in lines)
        _take(found, "organization", next((name for name in named if name), None))
    return found


def _take(found: dict[str, str], fact: str, value: str | None) -> None:
    if value and fact not in found:
        found[fact] = value


def _named(match: re.Match[str] | None) -> str | None:
    return match.group("name").rstrip(" ,") if match else None


def _organization(sentence: str, sender_name: str) -> str | None:
    sender_words = {w.casefold() for w in re.findall(r"\w+", sender_name)}
    for pattern in _ORGANIZATION:
        match = pattern.search(sentence)
        if not match:
            continue
        name = re.sub(r"\s+(?:of|and|for|the|&)$", "", match.group("name")).strip(" .,")
        words = [w.casefold() for w in re.findall(r"\w+", name)]
        if (len(name) <= 2 or words[0] in _NOT_A_NAME
                or set(words) <= sender_words  # "This is Jane Doe requesting Jira"
                or _DESCRIBED.match(sentence, match.end("name"))):  # "We are CMS contractors"
            continue
        return name + ("." if match.group("name").endswith("Inc.") else "")
    return None


def _known_organization(
    text: str,
    stated: tuple[str, str] | None,
    sender: Address | None,
    organizations: tuple[KnownOrganization, ...],
) -> tuple[str, str] | None:
    """The directory's organization the mail means, with where that was read: the one a
    sentence states, else the only one the text names, else the only one whose domain
    the sender writes from. Two candidates are no answer: the sender is asked instead."""
    if not organizations:
        return stated
    entries = tuple(CatalogEntry(o.name, o.aliases) for o in organizations)
    if stated:
        named = _directory_name(stated[0], organizations)
        return (named, stated[1]) if named else stated
    named_in_text = services_named_in(plain_text(text), entries)
    if len(named_in_text) == 1:
        return named_in_text[0], FROM_SENTENCE
    if named_in_text or sender is None:
        return None
    owners = [o.name for o in organizations if o.owns(sender.domain)]
    return (owners[0], FROM_DOMAIN) if len(owners) == 1 else None


def _directory_name(name: str, organizations: tuple[KnownOrganization, ...]) -> str | None:
    wanted = _fold(name)
    return next((o.name for o in organizations
                 if wanted in {_fold(n) for n in (o.name, *o.aliases)}), None)


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _cor_said(sentence: str) -> str | None:
    """The part of `sentence` from its mention of the COR on, when that part reports an
    approval: "Redwood needs Confluence for 14 users, COR Keisha Howard approved" holds a
    need the approval rules would read as a condition, before the COR is named. In a
    request, a person who "approved this" is its COR, named or not ("Dana Smith
    (dana.smith@cms.example.gov) approved it on 3/12; ask her if you need to")."""
    if _PERSON_APPROVED.match(sentence):
        # Tested without what follows it ("; her email is ... if you need to confirm"),
        # but its address may stand there.
        bare = re.sub(r"\([^)]*\)", " ", sentence)
        if says_approve(re.split(r"[;,]|\s-+\s", bare, maxsplit=1)[0]):
            return sentence
    mention = _COR.search(sentence)
    if mention is None:
        return None
    start = max(sentence.rfind(mark, 0, mention.start()) for mark in ",;:(") + 1
    for part in dict.fromkeys((sentence, sentence[start:])):
        if says_approve(part):
            return part
    return None


def _cor_line(sentence: str) -> str:
    """The approval line a sentence amounts to, "approved by Dana Smith <dana@x>", for
    parsers/cor.py: the whole sentence would give the COR's name as its other words."""
    address = _EMAIL.search(sentence)
    person = (_COR_PERSON_AFTER.search(sentence) or _COR_PERSON_BEFORE.search(sentence)
              or _PERSON_APPROVED.match(sentence))
    name = person.group("person") if person else ""
    if name and _NOT_A_PERSON & {w.casefold() for w in name.split()}:
        name = ""
    who = " ".join(part for part in (name, f"<{address.group(0)}>" if address else "") if part)
    return f"approved by {who}" if who else "approved"


def _count(sentence: str) -> str | None:
    for pattern in _COUNT:
        for match in pattern.finditer(sentence):
            raw = match.group("count").strip()
            count, _ = parse_user_count(raw)
            if count is not None:
                return raw
    return None


def _reason(sentence: str) -> str | None:
    """The purpose as the sender put it, without the "to" that introduced it or the full
    stop that ended the sentence around it."""
    reason = _purpose(sentence)
    if reason is None:
        return None
    reason = re.sub(r"^(?:to|in order to)\s+", "", reason.strip(), flags=re.IGNORECASE)
    return reason[:-1] if reason.endswith(".") else reason


def _purpose(sentence: str) -> str | None:
    inline = _INLINE_REASON.search(sentence)
    if inline:
        return inline.group("reason").strip()
    whole = _PURPOSE_SENTENCE.search(sentence)
    if whole:
        return whole.group("reason").strip()
    need = _NEED.search(sentence)
    for purpose in _PURPOSE.finditer(sentence):
        reason = next(group for group in purpose.groups() if group).strip()
        if (purpose.group("so") or need) and not _THE_REQUEST_ITSELF.match(reason):
            return reason
    for what in _FOR_PURPOSE.finditer(sentence) if need else ():
        phrase = what.group("what").strip()
        head = _HEAD_OF_PHRASE.match(phrase.removeprefix("for ").strip())
        if not _WHO.search(head.group(0) if head else phrase):
            return phrase
    return None
