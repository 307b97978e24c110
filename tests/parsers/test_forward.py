"""Forwards and quotes of each mail client, from their own bytes: each marker of the
table is found, the quoted mail's sender and subject are read, and it is a forwarded
COR approval only when its sender is a COR whose own words approve."""

from __future__ import annotations

import pytest

from onboardd.parsers.facts import extract_facts
from onboardd.parsers.forward import inline_forwards
from onboardd.parsers.markers import QUOTE_MARKERS, marker_at
from onboardd.parsers.model import CorStatus
from tests.parsers.support import CATALOG, CORS, fixture, mail

COR = "dana.smith@cms.example.gov"

# Each client's forward or quote of the COR's approving mail: the marker that starts it,
# the subject it carries ("" where the client writes none), and a phrase of its text.
CLIENT_FORWARDS = [
    ("forward-gmail-inline.eml", "Gmail or Thunderbird forward", "Re: ServiceNow for Lakeshore"),
    ("forward-gmail-html.eml", "Gmail or Thunderbird forward", "RE: Jira for Acme Health"),
    ("forward-thunderbird-inline.eml", "Gmail or Thunderbird forward",
     "RE: Confluence for Northwind Analytics"),
    ("forward-thunderbird-html.eml", "Gmail or Thunderbird forward",
     "RE: Confluence for Northwind Analytics"),
    ("forward-apple-html.eml", "Apple Mail forward", "RE: Jira for Acme Health"),
    ("forward-outlook-inline.eml", "Outlook original message", "RE: Harbor Point Slack"),
    ("forward-outlook-text-any-subject.eml", "Outlook header block",
     "RE: ServiceNow for Lakeshore IT"),
    ("forward-outlook-desktop-html.eml", "Outlook header block",
     "RE: ServiceNow for Lakeshore IT"),
    ("forward-outlook-html.eml", "Outlook header block", "RE: BrightPath Slack"),
    ("quote-gmail-reply-cor.eml", "reply attribution", ""),
]


def _first_marker(text: str) -> str | None:
    """The first marker in a body, or one quote level down (HTML quotes are "> ")."""
    for lines in (text.split("\n"), [line.removeprefix(">").removeprefix(" ")
                                     for line in text.split("\n")]):
        for index in range(len(lines)):
            found = marker_at(lines, index)
            if found:
                return found[0].name
    return None


def test_every_marker_of_the_table_has_a_client_fixture() -> None:
    assert {marker for _, marker, _ in CLIENT_FORWARDS} == {m.name for m in QUOTE_MARKERS}


@pytest.mark.parametrize(("name", "marker", "subject"), CLIENT_FORWARDS)
def test_each_clients_forward_of_the_cor_is_a_forwarded_approval(
    name: str, marker: str, subject: str
) -> None:
    parsed = fixture(name)
    assert _first_marker(parsed.text) == marker
    quoted = parsed.forwarded[0]
    assert quoted.sender is not None and quoted.sender.email == COR
    assert quoted.subject == subject
    assert "approve" in quoted.text.lower() or "concur" in quoted.text.lower()
    # The forwarded words are the COR's, not the sender's own.
    assert "approve the" not in parsed.reply_text and "concur with" not in parsed.reply_text
    facts = extract_facts(parsed, CATALOG, CORS)
    assert (facts.cor.status, facts.cor.address) == (CorStatus.FORWARDED, COR)


def test_an_outlook_block_is_read_under_a_subject_that_is_no_forward() -> None:
    """'See my COR's approval below' under the request's own subject, plain and HTML."""
    for name in ("forward-outlook-text-any-subject.eml", "forward-outlook-desktop-html.eml"):
        parsed = fixture(name)
        assert not parsed.subject.upper().startswith("FW")
        assert parsed.forwarded[0].sender is not None
        assert parsed.forwarded[0].sender.name == "Smith, Dana"


def test_thunderbirds_header_table_gives_sender_and_subject_from_both_parts() -> None:
    text, html = fixture("forward-thunderbird-inline.eml"), fixture("forward-thunderbird-html.eml")
    assert not text.html_only and html.html_only
    for parsed in (text, html):
        [quoted] = parsed.forwarded
        assert (quoted.sender, quoted.subject) == (text.forwarded[0].sender,
                                                   "RE: Confluence for Northwind Analytics")
        assert quoted.text.startswith("Priya, I approve the Confluence request")


def _request(block: str) -> str:
    return ("Hello,\n\nOur request is below, with the approval.\n\n"
            "Name of QualityNet IT Service: Jira\n\nJane\n\n" + block)


@pytest.mark.parametrize(
    "block",
    [
        # Someone who is not a COR approving: no forwarded COR approval.
        "-----Original Message-----\nFrom: Lee, Sam <sam.lee@acmehealth.example.com>\n"
        "Sent: Monday, March 2, 2026 4:12 PM\nTo: Jane Doe\nSubject: RE: Jira\n\n"
        "I approve, go ahead.\n",
        # The COR refusing, with the curly apostrophe phones type.
        "From: Smith, Dana <dana.smith@cms.example.gov>\nSent: Monday, March 2, 2026 4:12 PM\n"
        "To: Jane Doe\nSubject: RE: Jira\n\nJane, I can\u2019t approve this until the new "
        "task order is signed.\n",
        # The COR quoted asking, not approving.
        "On Mon, Mar 2, 2026 at 4:12 PM Dana Smith <dana.smith@cms.example.gov> wrote:\n\n"
        "> Could you tell me how many users need Jira?\n",
        # A forwarded mail whose From gives no address at all.
        "---------- Forwarded message ---------\nFrom: Dana Smith\nDate: Mon, Mar 2, 2026\n"
        "Subject: RE: Jira\n\nI approve the Jira request.\n",
    ],
)
def test_a_quoted_mail_is_no_approval_unless_a_cor_sent_it_approving(block: str) -> None:
    parsed = mail("From: jane@acmehealth.example.com\nSubject: Jira request", _request(block))
    assert parsed.forwarded
    assert extract_facts(parsed, CATALOG, CORS).cor.status is not CorStatus.FORWARDED


def test_lines_that_look_like_headers_in_a_request_are_no_forward() -> None:
    body = ("From: Acme Health Solutions\nTo: the onboarding team\n"
            "Subject: Jira for 12 users\n\nThanks\n")
    assert inline_forwards(body) == ()


def test_a_forward_inside_a_forward_is_read_too() -> None:
    body = (
        "FYI, the thread with the approval.\n\n"
        "---------- Forwarded message ---------\nFrom: Sam Lee <sam.lee@acmehealth.example.com>\n"
        "Date: Tue, Mar 3, 2026\nSubject: Fwd: RE: Jira\n\nPassing this on.\n\n"
        "> ---------- Forwarded message ---------\n"
        "> From: Dana Smith <dana.smith@cms.example.gov>\n> Date: Mon, Mar 2, 2026\n"
        "> Subject: RE: Jira\n>\n> I approve the Jira request for Acme Health.\n"
    )
    forwarded = inline_forwards(body)
    assert [f.sender.email for f in forwarded if f.sender] == [
        "sam.lee@acmehealth.example.com", COR]
    assert forwarded[1].text == "I approve the Jira request for Acme Health."


def test_a_top_posted_reply_over_original_message_keeps_only_its_new_words() -> None:
    parsed = fixture("forward-outlook-inline.eml")
    assert parsed.reply_text == "Forwarding our COR's concurrence for the Slack request.\n\nTom"
