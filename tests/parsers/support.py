"""What the parser tests share: fixture mails by name, the demo catalog and CORs."""

from __future__ import annotations

from pathlib import Path

from onboardd.parsers.message import parse_message
from onboardd.parsers.model import CatalogEntry, CorDirectory, ParsedEmail

MAILS = Path(__file__).resolve().parent.parent / "fixtures" / "mails"

CATALOG = (
    CatalogEntry("Jira", ("JIRA", "Atlassian Jira", "Jira Software")),
    CatalogEntry("Confluence", ("Atlassian Confluence", "Wiki", "Confluence Wiki")),
    CatalogEntry("Slack", ("Slack Enterprise Grid", "Slack workspace")),
    CatalogEntry("ServiceNow", ("SNOW", "Service Now", "ServiceNow ITSM")),
    CatalogEntry("HARP", ("HCQIS Access Roles and Profile", "HARP Portal")),
    CatalogEntry("Identity Management (IDM)", ("IDM", "Identity Management", "Okta IDM")),
    CatalogEntry("CMS Enterprise Portal", ("Enterprise Portal", "CMS Portal")),
)
CORS = CorDirectory(
    addresses=frozenset({"dana.smith@cms.example.gov"}),
    domains=frozenset({"cms.example.gov"}),
)


def fixture(name: str) -> ParsedEmail:
    """Parse one of tests/fixtures/mails/*.eml."""
    return parse_message((MAILS / name).read_bytes())


def mail(head: str, body: str = "Hello\n") -> ParsedEmail:
    """Parse a small mail written as header lines and a body."""
    return parse_message((head.strip("\n") + "\n\n" + body).encode("utf-8"))
