"""The template context every outgoing kind starts from."""

from __future__ import annotations

import re
from typing import Any

from onboardd.responders.assess import LABELS, assess
from onboardd.responders.policy import Policy
from onboardd.responders.view import RequestView


def base_context(policy: Policy, view: RequestView | None, sender_name: str = "") -> dict[str, Any]:
    context: dict[str, Any] = {
        "request": view,
        "sender_name": greeting_name(sender_name),
        "services": policy.services,
        "onboarding_address": policy.help_address,
        "labels": tuple(LABELS.values()),
    }
    if view is not None:
        context["fields"] = assess(view)
    return context


# Address books add the department or a role after the name: "Smith, Dana (CMS/CCSQ)",
# "Dana Smith [Contractor]", "Smith, Dana X. - CMS/OIT".
_AFFILIATION = re.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\]|\s-\s.*)\s*$")


def greeting_name(display_name: str) -> str:
    """The name a person would be greeted by: "Smith, Dana (CMS/CCSQ)", "SMITH, DANA" and
    "Smith, Dana X. [Contractor]" become "Dana Smith"; an address, or a name with no
    letters, greets nobody."""
    name = " ".join(display_name.replace('"', " ").split())
    previous = None
    while name != previous:
        previous, name = name, _AFFILIATION.sub("", name).strip()
    if "@" in name or not any(char.isalpha() for char in name):
        return ""
    last, comma, first = name.partition(",")
    if comma and first.strip() and len(last.split()) <= 3 and "," not in first:
        # The address book's "Last, First M." carries the middle initial only to tell
        # people apart in a list; nobody is greeted by it.
        given = first.split()
        while len(given) > 1 and len(given[-1].rstrip(".")) == 1:
            given.pop()
        name = f"{' '.join(given)} {last.strip()}"
    if name.isupper() or name.islower():
        name = " ".join(_capitalised(word) for word in name.split())
    return name


def _capitalised(word: str) -> str:
    """"O'BRIEN" as "O'Brien", "SMITH-JONES" as "Smith-Jones"; initials stay upper."""
    if len(word.rstrip(".")) == 1:
        return word.upper()
    return re.sub(r"[A-Za-z]+", lambda m: m.group(0).capitalize(), word.lower())
