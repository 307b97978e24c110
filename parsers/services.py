"""Service names read against the catalog: canonical names found, the rest named back."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from types import MappingProxyType

from onboardd.parsers.model import CatalogEntry

_SPLIT = re.compile(r"\s*(?:,|;|/|&|\n|\+|\band\b|\bplus\b)\s*", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•·‣◦]+|\(?\d{1,2}[.)])\s*")
# Words people put around a service name that do not change which service it is.
_LEADING = re.compile(r"^(?:the|a|an|access to|access for|to)\s+")
_TRAILING = re.compile(r"\s+(?:access|service|services|tool|application|app|account|accounts"
                       r"|license|licenses|instance)$")
_NOTHING = frozenset({"", "n a", "na", "none", "tbd", "etc", "other", "others"})


def _key(text: str) -> str:
    """Case- and punctuation-free form of a name, with filler words taken off."""
    key = " ".join(re.sub(r"[^\w\s]|_", " ", text.lower()).split())
    previous = None
    while key != previous:
        previous = key
        key = _TRAILING.sub("", _LEADING.sub("", key))
    return key


@functools.lru_cache(maxsize=4)
def catalog_index(catalog: tuple[CatalogEntry, ...]) -> Mapping[str, str]:
    """Normalised name or alias -> canonical name; "Identity Management (IDM)" also
    answers to "Identity Management" and "IDM".

    Built once per catalog (the config's catalog is one value until a reload), not once
    per mail; read-only, since every caller shares it."""
    index: dict[str, str] = {}
    for entry in catalog:
        for name in (entry.name, *entry.aliases):
            forms = [name, re.sub(r"\([^)]*\)", " ", name), *re.findall(r"\(([^)]*)\)", name)]
            for form in forms:
                if _key(form):
                    index.setdefault(_key(form), entry.name)
    return MappingProxyType(index)


def match_services(value: str, catalog: tuple[CatalogEntry, ...]) -> tuple[
        tuple[str, ...], tuple[str, ...]]:
    """(catalog names, unknown names) for a services value, in the order written."""
    index = catalog_index(catalog)
    found: list[str] = []
    unknown: list[str] = []
    value = _joined_names(value, catalog)
    whole = index.get(_key(value))
    parts = [value] if whole else _SPLIT.split(value)
    for part in parts:
        cleaned = _BULLET.sub("", part).strip(" .:-\t")
        key = _key(cleaned)
        if key in _NOTHING:
            continue
        name = index.get(key) or index.get(_key(re.sub(r"\([^)]*\)", " ", cleaned)))
        if name:
            if name not in found:
                found.append(name)
        elif cleaned not in unknown:
            unknown.append(cleaned)
    return tuple(found), tuple(unknown)


def _joined_names(value: str, catalog: tuple[CatalogEntry, ...]) -> str:
    """The value with each catalog name that holds a separator ("HCQIS Access Roles and
    Profile", "Jira & Confluence Cloud") replaced by its canonical name, so that splitting
    the list at "and" or "," does not cut it in two."""
    for entry in catalog:
        for name in (entry.name, *entry.aliases):
            if _SPLIT.search(name) and name.lower() in value.lower():
                value = re.sub(re.escape(name), entry.name if not _SPLIT.search(entry.name)
                               else entry.name.replace(",", " "), value, flags=re.IGNORECASE)
    return value


# The first letter of a sentence or line: how a writer who never capitalises shows.
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s|\n)\W*([A-Za-z])")


def writes_in_lower_case(text: str) -> bool:
    """Three of four sentences and lines or more start with a small letter ("hi - kestrel
    software here. we need confluence and jira ..."): a writer whose lower-case names
    are names all the same."""
    starts = _SENTENCE_START.findall(text)
    return len(starts) >= 2 and sum(c.islower() for c in starts) >= 0.75 * len(starts)


def services_named_in(
    text: str, catalog: tuple[CatalogEntry, ...], *, any_case: bool = False
) -> tuple[str, ...]:
    """Catalog services named as whole words in free text, in order of first mention.

    A capitalised catalog name must be capitalised in the text too, so "some slack in
    the schedule" does not ask for Slack, unless `any_case` (a writer who capitalises
    nothing, see writes_in_lower_case).
    """
    return tuple(dict.fromkeys(name for _, _, name in _mentions(text, catalog, any_case)))


def services_listed_with(
    text: str, named: tuple[str, ...], catalog: tuple[CatalogEntry, ...], *,
    any_case: bool = False
) -> tuple[str, ...]:
    """`named` and the services `text` lists together with one of them ("access to Jira
    and Confluence"), but not those it names elsewhere ("same users as our Jira group")."""
    found = dict.fromkeys(named)
    group: list[str] = []
    last_end = -1
    for start, end, name in _mentions(text, catalog, any_case):
        if last_end < 0 or not _LIST_GAP.match(text[last_end:start]):
            group = []
        group.append(name)
        last_end = end
        if any(n in named for n in group):
            found.update(dict.fromkeys(group))
    return tuple(found)


# What stands between two services named as one list: "Jira, Confluence and Slack".
_LIST_GAP = re.compile(r"\s*(?:,|;|/|&|\+|\band\b|\bor\b|\bplus\b|\bas\s+well\s+as\b)?"
                       r"\s*(?:(?:and|the|a|an)\s+)?$", re.IGNORECASE)


def _mentions(
    text: str, catalog: tuple[CatalogEntry, ...], any_case: bool
) -> list[tuple[int, int, str]]:
    """(start, end, canonical name) of each catalog name in `text`, in order, the
    longest name where two overlap ("Jira Software" over "Jira")."""
    hits: list[tuple[int, int, str]] = []
    for entry in catalog:
        for name in sorted({entry.name, *entry.aliases, *re.findall(r"\(([^)]*)\)", entry.name),
                            re.sub(r"\s*\([^)]*\)", "", entry.name)}, key=len, reverse=True):
            if not name.strip():
                continue
            pattern = re.compile(rf"(?<![\w-]){re.escape(name.strip())}(?![\w-])", re.IGNORECASE)
            for match in pattern.finditer(text):
                if name[0].isupper() and not match.group(0)[0].isupper() and not any_case:
                    continue
                hits.append((match.start(), match.end(), entry.name))
    hits.sort(key=lambda hit: (hit[0], -hit[1]))
    kept: list[tuple[int, int, str]] = []
    for hit in hits:
        if not kept or hit[0] >= kept[-1][1]:
            kept.append(hit)
    return kept
