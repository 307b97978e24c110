"""Labelled lines of a request ("Organization: Acme") read into one raw value per fact."""

from __future__ import annotations

import re

# Normalised label -> fact. Normalising lower-cases, spells "#" as "number" and
# drops punctuation and parenthesised remarks, so the team's published long labels
# and the short forms people type land on the same keys.
_LABELS: dict[str, tuple[str, ...]] = {
    "organization": (
        "name of the organization", "name of organization", "name of the organisation",
        "name of organisation", "organization name", "organisation name", "org",
        "org name", "organization", "organisation", "company", "company name",
        "harp org", "harp organization", "harp organization name", "harp org name",
        "contractor", "contractor name", "contracting company",
    ),
    "services": (
        "name of it services", "name of it service", "name of the it services",
        "it services", "it service", "service", "services", "application", "applications",
        "requested services", "requested service", "services requested",
        "service requested", "service name", "service names",
    ),
    "justification": (
        "business justification for use of the service",
        "business justification for use of the services",
        "business justification for the use of the service",
        "business justification", "justification", "reason", "reason for request",
        "business reason", "business need", "purpose",
    ),
    "user_count": (
        "estimated number of users", "number of users", "users", "user count",
        "estimated users", "estimated user count", "no of users", "count of users",
        "how many users", "expected number of users", "total users",
    ),
    "cor": (
        "cor approval", "cor", "cor approved", "cor approver", "cor approval status",
        "contracting officer representative approval", "contracting officers representative",
        "contracting officer representative", "cor sign off", "cor signoff",
    ),
    "security_official": (
        "security official", "so", "security officer", "security official name",
        "security officer name", "so name", "security official email", "so email",
        "information security official", "iso",
    ),
    "contract_number": ("contract", "contract number", "contract no", "contract id"),
}
LABEL_TO_FACT = {label: fact for fact, labels in _LABELS.items() for label in labels}

_PEOPLE = frozenset({"cor", "security_official"})
_ADDRESS_LINE = re.compile(r"^\s*[<(\[]?[\w.+-]+@[\w.-]+[>)\]]?\s*$")
_BULLET = re.compile(r"^\s*(?:[-*•·‣◦>]+|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+", re.IGNORECASE)
_COLON = re.compile(r"^(?P<label>[^:]{1,120}?)\s*[:：]\s*(?P<value>.*)$")
_DASH = re.compile(r"^(?P<label>.{1,80}?)\s+[-–—=]+\s+(?P<value>.*)$")
_ALONE = re.compile(r"^(?P<label>[^:]{1,120}?)\s*[:?]?\s*$")


_REMARK = re.compile(r"\([^)]*\)")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def normalize_label(label: str) -> str:
    """Lower case, "#" as "number", no punctuation and no parenthesised remarks."""
    text = label.lower().replace("(s)", "s").replace("#", " number ")
    text = _REMARK.sub(" ", text)
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def label_line(line: str) -> tuple[str, str] | None:
    """(fact, inline value) when the line starts with a known label, else None."""
    text = _BULLET.sub("", line.strip()).strip("*_ \t")
    for pattern in (_COLON, _DASH, _ALONE):
        match = pattern.match(text)
        if match:
            fact = LABEL_TO_FACT.get(normalize_label(match.group("label")))
            if fact:
                value = match.groupdict().get("value") or ""
                return fact, value.strip().strip("*_").strip()
    return None


def read_labels(text: str) -> dict[str, str]:
    """The first value given for each fact; multi-line values keep their newlines."""
    lines = text.split("\n")
    found: dict[str, str] = {}
    i = 0
    while i < len(lines):
        hit = label_line(lines[i])
        i += 1
        if hit is None:
            continue
        fact, value = hit
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
        if full and fact not in found:
            found[fact] = full
    return found
