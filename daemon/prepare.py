"""One mail made ready for its transaction: its key, its parse, its request facts.

The parse worker runs this for a backlog (daemon/parse_ahead.py); ingest runs the very
same function in place for any mail the worker did not prepare. All of it is pure, so
it may run in either process.
"""

from __future__ import annotations

from dataclasses import dataclass

from onboardd.daemon.keys import message_key
from onboardd.parsers.errors import ParseError
from onboardd.parsers.facts import extract_facts
from onboardd.parsers.message import parse_message
from onboardd.parsers.model import (
    CatalogEntry,
    CorDirectory,
    KnownOrganization,
    ParsedEmail,
    RequestFacts,
)

Parsed = ParsedEmail | ParseError


@dataclass(frozen=True)
class Reading:
    """What reading request facts needs besides the mail: the policy's catalog, COR
    directory and organizations, fixed for the drain (a reload builds a new pipeline
    between passes)."""

    catalog: tuple[CatalogEntry, ...]
    cors: CorDirectory
    organizations: tuple[KnownOrganization, ...] = ()


@dataclass(frozen=True)
class Prepared:
    """One mail's key and parse, and its request facts where they could be read."""

    key: str
    parsed: Parsed  # the ParseError as a value: it travels back like a result
    # The request facts of `parsed`, as extract_facts reads them with the Reading given;
    # None where none was given, the parse failed, or a machine wrote the mail (the
    # workflow never reads facts from those).
    facts: RequestFacts | None = None


def prepare(raw: bytes, max_bytes: int, reading: Reading | None = None) -> Prepared:
    """Key, parse and (given a Reading) read the request facts of one raw mail; a parse
    that fails comes back as its ParseError."""
    try:
        parsed = parse_message(raw, max_bytes=max_bytes)
    except ParseError as exc:
        return Prepared(message_key(raw), exc)
    facts = None
    if reading is not None and not parsed.auto.generated:
        try:
            facts = extract_facts(parsed, reading.catalog, reading.cors, reading.organizations)
        except Exception:  # read again in place, where an error quarantines this mail only
            facts = None
    return Prepared(message_key(raw), parsed, facts)
