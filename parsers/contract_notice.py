"""A COR's notice of a contract solicitation or award, and a contractor's naming of its
Security Official and Security Point of Contact, read from their labelled lines.

The published process has the COR write to the onboarding address twice before any
service is asked for: when a contract is solicited (with an estimated award date), and
when it is awarded (the organization, the contract number and the period of
performance). Whether the sender is a COR is the workflow's question; this only reads
what the mail says. A mail that asks for a service is a request, not a notice, even
when it mentions an award.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime

from onboardd.parsers.model import Address, ParsedEmail
from onboardd.parsers.wording import plain_text


class Stage(enum.StrEnum):
    SOLICITATION = "solicitation"
    AWARDED = "awarded"


@dataclass(frozen=True)
class ContractNotice:
    stage: Stage
    number: str | None = None
    organization: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    award_expected_on: date | None = None
    contractor: Address | None = None
    extension: bool = False  # restates an award with new dates

    @property
    def missing(self) -> tuple[str, ...]:
        """What an award notice must state and this one does not (a solicitation needs
        nothing: the page asks only for a high-level notice)."""
        if self.stage is Stage.SOLICITATION:
            return ()
        if self.extension:  # the contract is known: its number and new end will do
            return tuple(name for name, value in (("contract number", self.number),
                                                  ("period of performance end", self.ends_on))
                         if not value)
        wanted = (("organization", self.organization), ("contract number", self.number),
                  ("period of performance start", self.starts_on),
                  ("period of performance end", self.ends_on))
        return tuple(name for name, value in wanted if not value)


# The subject or the opening says which notice it is.
_AWARD = re.compile(r"\b(?:contract\s+)?award(?:ed)?\b|\bnew\s+contract\b", re.IGNORECASE)
# An extension or modification restates the award with its new dates.
_EXTENSION = re.compile(r"\bextension\b|\bextended\b|\bmodification\b", re.IGNORECASE)
_SOLICITATION = re.compile(r"\bsolicitations?\b|\bsolicited\b|\brfp\b", re.IGNORECASE)

# Each notice line's label, by the words it is made of (checked in this order).
_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern, re.IGNORECASE)) for key, pattern in (
        ("award_expected_on", r"^(?:estimated|expected|anticipated|projected)\s+award"
                              r"(?:\s+date)?$"),
        ("period", r"^(?:period\s+of\s+performance|pop)(?:\s*\(?pop\)?)?(?:\s+dates?)?$"),
        ("starts_on", r"^(?:(?:period\s+of\s+performance|pop)\s+)?(?:start|begin"
                      r"|beginning|effective)(?:\s+date)?$|^(?:start|effective)\s+date$"),
        ("ends_on", r"^(?:(?:period\s+of\s+performance|pop)\s+)?(?:end|ending|expiration"
                    r"|completion)(?:\s+date)?$"),
        ("number", r"^contract\s*(?:number|no\.?|#|id)$|^contract$"),
        ("organization", r"^(?:name\s+of\s+)?(?:organi[sz]ation|contractor|company|vendor)"
                         r"(?:\s+name)?(?:\s*\(.*\))?$"),
        ("contractor", r"^contractor(?:'s)?\s+(?:contact|e-?mail|point\s+of\s+contact|poc)"
                       r"(?:\s+e-?mail)?$|^(?:point\s+of\s+contact|poc)$"),
        ("services", r"^(?:name\s+of\s+)?(?:qualitynet\s+)?(?:it\s+)?services?"
                     r"(?:\s+requested)?$"),
    ))
_LINE = re.compile(r"^\s*[*•-]?\s*\**(?P<label>[^:\n]{2,60}?)\**\s*:\s*(?P<value>.*?)\s*$")
_RANGE = re.compile(r"\s+(?:-|–|—|to|through|thru|until)\s+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%B %d, %Y", "%B %d %Y", "%b %d, %Y",
                 "%b %d %Y", "%d %B %Y", "%d %b %Y", "%b. %d, %Y")


def read_contract_notice(mail: ParsedEmail) -> ContractNotice | None:
    """The notice `mail` is, or None when it is no solicitation or award notice."""
    text = plain_text(mail.reply_text)
    opening = " ".join([mail.subject, *text.split("\n")[:4]])
    values = _labelled(text)
    if "services" in values:
        return None  # asks for a service: a request, whatever it says of an award
    if _SOLICITATION.search(opening):
        stage = Stage.SOLICITATION
    elif (_AWARD.search(opening) or _EXTENSION.search(opening) or "period" in values
          or "starts_on" in values):
        stage = Stage.AWARDED
    else:
        return None
    starts_on, ends_on = parse_date(values.get("starts_on")), parse_date(values.get("ends_on"))
    if "period" in values:
        first, last = _period(values["period"])
        starts_on, ends_on = starts_on or first, ends_on or last
    contractor = None
    if found := _EMAIL.search(values.get("contractor", "")):
        name = values["contractor"][: found.start()].strip(" <(\"'-,")
        contractor = Address(name, found.group(0).lower())
    notice = ContractNotice(
        stage=stage,
        number=_number(values.get("number")),
        organization=values.get("organization") or None,
        starts_on=starts_on,
        ends_on=ends_on,
        award_expected_on=parse_date(values.get("award_expected_on")),
        contractor=contractor,
        extension=stage is Stage.AWARDED and bool(_EXTENSION.search(opening)),
    )
    # A mail that only mentions an award ("Any news on the Acme award?") states none
    # of a notice's facts: it is no notice.
    stated = (notice.number, notice.organization, notice.starts_on, notice.ends_on,
              notice.award_expected_on, notice.contractor)
    return notice if any(stated) else None


@dataclass(frozen=True)
class Contact:
    """A Security Official or Security Point of Contact as the contractor names them."""

    name: str
    email: str | None = None
    harp_id: str | None = None


@dataclass(frozen=True)
class Removal:
    """A role the mail asks to leave empty, with whom it names as leaving (None: the
    mail names the role only, "please remove our SPOC", or says "him")."""

    role: str  # "security_official" or "spoc"
    who: Contact | None = None


@dataclass(frozen=True)
class ContactsNamed:
    security_official: Contact | None = None
    spoc: Contact | None = None
    cor: Contact | None = None  # a new COR, named by the one before
    removals: tuple[Removal, ...] = ()


_ROLE = re.compile(
    r"^\s*[*•-]?\s*\**(?P<role>(?:primary\s+|new\s+)?(?:security\s+(?:official|officer)|so"
    r"|security\s+point\s+of\s+contact|spoc|cor|contracting\s+officer'?s?\s+representative))\b(?:\s*\([^)]*\))?\**\s*[:\-–]\s*"
    r"(?P<rest>.*)$", re.IGNORECASE)
_HARP = re.compile(r"\bharp(?:\s+user)?\s*(?:id|user\s*id|user\s*name|username|account)?"
                   r"\s*[:#=]?\s*(?P<id>[A-Za-z0-9._-]{3,40})\b", re.IGNORECASE)
_SUBFIELD = re.compile(r"^\s*[*•-]?\s*(?:e-?mail|address|harp[\w\s]*|name)\s*:", re.IGNORECASE)


_MENTIONS_CONTACTS = re.compile(r"\bsecurity\s+(?:official|officer)|\bspoc\b|\bso\s*:"
                                r"|\bas\s+(?:our\s+|the\s+)?so\b"
                                r"|\bpoint\s+of\s+contact|\bnew\s+cor\b"
                                r"|contracting\s+officer", re.IGNORECASE)


def mentions_contacts(text: str) -> bool:
    """A cheap first look: may `text` name an SO or SPOC at all?"""
    return bool(_MENTIONS_CONTACTS.search(text))


def read_contacts(text: str) -> ContactsNamed:
    """The SO and SPOC named in `text`, each from its labelled line and the lines under
    it ("Email: ...", "HARP user ID: ...") up to the next role or a blank line."""
    lines = plain_text(text).split("\n")
    found: dict[str, Contact] = {}
    for index, line in enumerate(lines):
        match = _ROLE.match(line)
        if not match:
            continue
        said = match.group("role").lower()
        role = ("spoc" if re.search(r"spoc|point", said)
                else "cor" if re.search(r"\bcor\b|contracting", said)
                else "security_official")
        block = [match.group("rest")]
        for following in lines[index + 1:index + 4]:
            if not following.strip() or _ROLE.match(following) or not _SUBFIELD.match(following):
                break
            block.append(following)
        contact = _contact(" ".join(block))
        if contact and role not in found:
            found[role] = contact
    return ContactsNamed(found.get("security_official"), found.get("spoc"), found.get("cor"),
                         _removals(lines))


# A removal is asked for only in a sentence that begins with the request itself, so that
# "please do not remove", "should we remove ...?", "if he leaves, remove him" and "John
# will remove users as our SPOC" ask for nothing.
_ROLE_WORDS = (r"(?P<role>security\s+(?:official|officer)|so|security\s+point\s+of\s+contact"
               r"|spoc)\b")
_ASKING = (r"(?:please\s+|kindly\s+|(?:can|could|would)\s+you\s+(?:please\s+|kindly\s+)?"
           r"|(?:we|i)\s+(?:would\s+like|need|want)\s+(?:you\s+)?to\s+"
           r"|(?:we|i)'d\s+like\s+(?:you\s+)?to\s+)?")
_REMOVALS = tuple(re.compile(pattern, re.IGNORECASE) for pattern in (
    # "Please remove John Roe <john@x> as SPOC", "remove him as our Security Official"
    rf"^{_ASKING}remove\s+(?P<who>[^;!?]{{1,120}}?)\s+(?:from\s+(?:the\s+)?(?:role\s+of\s+)?"
    rf"|as\s+)(?:our\s+|the\s+)?(?:current\s+)?{_ROLE_WORDS}(?:\s+role)?\s*[.!?]?$",
    # "Please remove our SPOC, John Roe."
    rf"^{_ASKING}remove\s+(?:our|the)\s+(?:current\s+)?{_ROLE_WORDS}"
    rf"(?:\s*[,:(-]\s*(?P<who>[^;!?]{{1,120}}?))?\s*\)?\s*[.!?]?$",
    # "Remove SPOC: John Roe <john@x>"
    rf"^remove\s+(?:the\s+)?{_ROLE_WORDS}\s*:\s*(?P<who>.{{1,120}}?)\s*$",
    # "John Roe is no longer our SPOC." (a name or an address first, nothing else)
    rf"^(?P<who>(?:[A-Z][\w'.-]*\s+){{0,3}}[A-Z][\w'.-]*(?:\s*<[^<>\s]+@[^<>\s]+>)?"
    rf"|[^\s<>@]+@[^\s<>@]+)\s+is\s+no\s+longer\s+(?:our|the)\s+{_ROLE_WORDS}\s*[.!]?$",
))
_GREETING = re.compile(r"^(?:hi|hello|dear|good\s+(?:morning|afternoon|evening))\b[^,.!]{0,40}"
                       r"[,!]\s*", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
_PRONOUN = re.compile(r"^(?:him|her|them|this\s+person|that\s+person)$", re.IGNORECASE)


def _removals(lines: list[str]) -> tuple[Removal, ...]:
    found: dict[str, Removal] = {}
    for line in lines:
        for sentence in _SENTENCE.split(_GREETING.sub("", line.strip(" \t*•-"))):
            sentence = sentence.strip()
            match = next((m for p in _REMOVALS if (m := p.fullmatch(sentence))), None)
            if match is None:
                continue
            said = match.group("role").lower()
            role = "spoc" if re.search(r"spoc|point", said) else "security_official"
            who_text = (match.group("who") or "").strip(" ,:-()")
            who = None if not who_text or _PRONOUN.match(who_text) else _contact(who_text)
            found.setdefault(role, Removal(role, who))
    return tuple(found.values())


def _contact(text: str) -> Contact | None:
    email = _EMAIL.search(text)
    harp = _HARP.search(text)
    name = text
    for cut in (email, harp):
        if cut:
            name = name.replace(cut.group(0), " ")
    name = re.sub(r"\b(?:e-?mail|address|name)\s*:", " ", name, flags=re.IGNORECASE)
    name = " ".join(re.sub(r"[<>()\[\],;:|]", " ", name).split()).strip(" .-")
    if not email and name.casefold() in _NO_ONE:
        name = ""  # "SPOC: TBD" names nobody
    if not (email or name):
        return None
    harp_id = harp.group("id") if harp else None
    if harp_id and harp_id.lower().strip(".") in _NO_ID:
        harp_id = None
    return Contact(name=name, email=email.group(0).lower() if email else None,
                   harp_id=harp_id)


# A HARP user ID given on its own, in a reply that answers our question for it: the
# label must say "ID" or "user name", so that "his HARP account is ready" gives none.
_HARP_ALONE = re.compile(r"\bharp\s+(?:user\s*)?(?:id|user\s*name|username)\s*(?:is\s*)?[:#=]?\s*"
                         r"(?P<id>[A-Za-z0-9._-]{3,40})\b", re.IGNORECASE)


def read_harp_id(text: str) -> str | None:
    """The HARP user ID a reply gives ("HARP user ID: BROE01"), or None."""
    for match in _HARP_ALONE.finditer(plain_text(text)):
        harp_id = match.group("id")
        if harp_id.lower().strip(".") not in _NO_ID and any(c.isalnum() for c in harp_id):
            return harp_id
    return None


# What people write where a role has nobody yet.
_NO_ONE = frozenset({"none", "none yet", "n/a", "na", "tbd", "tba", "to be determined",
                     "pending", "unknown", "vacant", "not yet", "not yet named",
                     "not named yet", "to follow", "nobody"})

# What people write where a HARP user ID is not there yet.
_NO_ID = frozenset({"pending", "tbd", "tba", "none", "na", "n/a", "unknown", "to", "not",
                    "requested", "applied", "forthcoming", "soon"})


def parse_date(value: str | None) -> date | None:
    """A date as people write it in US government mail ("01/04/2027", "2027-01-04",
    "January 4, 2027", "4 January 2027"); None for anything else."""
    if not value:
        return None
    text = " ".join(value.replace(",", ", ").split()).rstrip(".")
    text = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", text).replace(" ,", ",")
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _labelled(text: str) -> dict[str, str]:
    """The first value of each notice label, by key."""
    values: dict[str, str] = {}
    for line in text.split("\n"):
        match = _LINE.match(line)
        if not match:
            continue
        label = " ".join(match.group("label").split())
        for key, pattern in _LABELS:
            if key not in values and pattern.match(label):
                values[key] = match.group("value").strip()
                break
    return values


def _period(value: str) -> tuple[date | None, date | None]:
    parts = _RANGE.split(value.strip(), maxsplit=1)
    if len(parts) != 2:
        return None, None
    return parse_date(parts[0]), parse_date(parts[1])


def _number(value: str | None) -> str | None:
    """A contract number as written, without spaces or trailing punctuation."""
    if not value:
        return None
    number = value.split()[0].strip(".,;") if value.split() else ""
    return number.upper() if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{3,40}", number) else None
