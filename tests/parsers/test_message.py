"""parse_message: headers, addresses, body text, attachments, forwards and limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from onboardd.parsers.errors import MessageTooComplex, MessageTooLarge, ParseError
from onboardd.parsers.facts import extract_facts
from onboardd.parsers.message import parse_message
from onboardd.parsers.model import CorStatus
from tests.parsers.support import CATALOG, CORS, fixture, mail


def test_addresses_names_ids_and_headers_of_an_odd_mail() -> None:
    mail = fixture("headers-odd.eml")
    assert mail.sender is not None
    assert mail.sender.email == "dana.smith@cms.example.gov"
    assert mail.sender.name == "Dana Smith (COR)"
    assert mail.to == ()  # group syntax with no members is no address, not a crash
    assert [a.email for a in mail.cc] == [
        "jane.doe@acmehealth.example.com",
        "a@b.example.com",
        "c@d.example.com",
    ]
    assert mail.cc[0].name == "Doe, Jane"
    assert mail.reply_to == ()
    assert mail.message_id == "[Fw6a1B2c3D4=@cms.example.gov]"
    assert mail.in_reply_to == ("onb.2026.0042.x@onboard.example.gov",)
    assert mail.references == ("a1@acmehealth.example.com", "onb.2026.0042.x@onboard.example.gov")
    assert mail.subject == "Re: [ONB-2026-0042] COR – approved"
    assert mail.header("X-Long") == "first part second part"
    assert ("subject", mail.subject) in mail.headers
    assert mail.date == datetime(2026, 11, 19, 19, 0, tzinfo=UTC)
    assert mail.text == "Approved."


def test_windows_1252_body_and_header_come_out_right() -> None:
    mail = fixture("cp1252.eml")
    assert mail.sender is not None and mail.sender.name == "François Müller"
    assert mail.subject == "Zugang für Confluence – Kontor"
    assert "Organization: Kontor Geschäftsdienste GmbH" in mail.text
    assert "“café ordering” workflow – budget € 5,000." in mail.text
    assert "\r" not in mail.text


def test_quoted_printable_soft_breaks_and_encoded_words() -> None:
    mail = fixture("quoted-printable.eml")
    assert mail.sender is not None and mail.sender.name == "Ana Silva"
    assert mail.subject == "Onboarding – Riverbend"
    assert "Organization: Riverbend Soluções" in mail.text
    assert "for the release train that starts in January" in mail.text


def test_unknown_charset_falls_back_without_raising() -> None:
    mail = fixture("unknown-charset.eml")
    assert "Organization: Café Systèmes" in mail.text


def test_attached_message_is_a_forward_not_body_text() -> None:
    mail = fixture("forward-attached-cor.eml")
    assert "I approve" not in mail.text
    assert "9999" not in mail.text
    assert len(mail.forwarded) == 1
    forwarded = mail.forwarded[0]
    assert forwarded.source == "attachment"
    assert forwarded.sender is not None
    assert forwarded.sender.email == "dana.smith@cms.example.gov"
    assert forwarded.subject == "RE: Slack for Acme Health"
    assert "I approve Slack access" in forwarded.text
    assert [(a.filename, a.content_type, a.size) for a in mail.attachments] == [
        ("task-order.pdf", "application/pdf", 78)
    ]


@pytest.mark.parametrize(
    ("name", "sender", "phrase"),
    [
        ("forward-gmail-inline.eml", "dana.smith@cms.example.gov", "Approved. OK to proceed"),
        ("forward-outlook-inline.eml", "dana.smith@cms.example.gov", "I concur"),
        ("forward-apple-inline.eml", "dana.smith@cms.example.gov", "not approved"),
    ],
)
def test_inline_forwards_are_found(name: str, sender: str, phrase: str) -> None:
    mail = fixture(name)
    forwarded = mail.forwarded[0]  # the mail it quotes, if any, comes after it
    assert forwarded.source == "inline"
    assert forwarded.sender is not None and forwarded.sender.email == sender
    assert phrase in forwarded.text
    assert phrase not in mail.reply_text


def test_outlook_reply_block_is_read_as_a_quoted_mail_that_supplies_no_facts() -> None:
    mail = fixture("reply-outlook-trap.eml")
    [quoted] = mail.forwarded
    assert quoted.sender is not None and quoted.sender.email == "onboarding@onboard.example.gov"
    assert mail.reply_text.startswith("Justification: Claims analysts")
    assert "Initech" not in mail.reply_text


def test_html_only_mail_is_converted_and_marked() -> None:
    mail = fixture("html-table-outlook-reply.eml")
    assert mail.html_only
    assert "Organization: Sakura Systems Inc." in mail.text
    assert "<" not in mail.text.replace("> ", "")
    assert "Umbrella" not in mail.reply_text


def test_plain_part_preferred_over_html() -> None:
    mail = fixture("forward-gmail-inline.eml")
    assert not mail.html_only
    assert "<div" not in mail.text and "---------- Forwarded message" in mail.text


def test_human_mail_is_not_auto_generated() -> None:
    for name in ("labels-short.eml", "reply-quote-trap.eml", "cp1252.eml"):
        assert fixture(name).auto.may_answer, name


def test_size_is_the_raw_length_and_oversize_raises() -> None:
    raw = b"From: a@b.example.com\nSubject: x\n\n" + b"y" * 100
    assert parse_message(raw).size == len(raw)
    with pytest.raises(MessageTooLarge):
        parse_message(raw, max_bytes=len(raw) - 1)


def _many_parts(count: int) -> bytes:
    parts = "".join(f"--b\nContent-Type: text/plain\n\npart {i}\n" for i in range(count))
    head = "From: a@b.example.com\nContent-Type: multipart/mixed; boundary=b\n\n"
    return f"{head}{parts}--b--\n".encode()


def _nested(depth: int) -> bytes:
    head = "".join(
        f"--b{i}\nContent-Type: multipart/mixed; boundary=b{i + 1}\n\n" for i in range(depth)
    )
    tail = "".join(f"--b{i}--\n" for i in reversed(range(depth)))
    return (
        f"From: a@b.example.com\nContent-Type: multipart/mixed; boundary=b0\n\n{head}"
        f"--b{depth}\nContent-Type: text/plain\n\ndeep\n--b{depth}--\n{tail}"
    ).encode()


def test_part_limit() -> None:
    assert parse_message(_many_parts(50)).text.startswith("part 0")
    with pytest.raises(MessageTooComplex):
        parse_message(_many_parts(50), max_parts=20)


def test_depth_limit() -> None:
    assert parse_message(_nested(5)).text == "deep"
    with pytest.raises(MessageTooComplex):
        parse_message(_nested(25))


def test_nesting_too_deep_for_the_stdlib_is_too_complex() -> None:
    with pytest.raises(MessageTooComplex):
        parse_message(_nested(3000), max_depth=100_000, max_parts=100_000)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage without headers",
        b"From: <<<>>>\nTo: ;;;@@\nDate: yesterday\nContent-Type: multipart/mixed\n\nno boundary",
        b'Content-Type: text/plain; charset="\x93bad\x94"\n\n\xe9t\xe9',
        b"Subject: =?utf-8?B?not base64!?= =?bogus?Q?x?=\n\nbody",
        b"Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n!!notbase64!!",
    ],
)
def test_garbage_never_raises_a_library_error(raw: bytes) -> None:
    try:
        mail = parse_message(raw)
    except ParseError:
        return  # a typed refusal is allowed; anything else fails the test
    assert mail.size == len(raw)


def test_html_outlook_forward_is_read_through_its_quote_marks() -> None:
    mail = fixture("forward-outlook-html.eml")
    assert mail.html_only
    assert mail.reply_text == "COR approval for our Slack request, forwarded."
    assert len(mail.forwarded) == 1
    forwarded = mail.forwarded[0]
    assert forwarded.sender is not None
    assert forwarded.sender.email == "dana.smith@cms.example.gov"
    assert forwarded.subject == "RE: BrightPath Slack"
    assert "I approve the Slack request" in forwarded.text


def test_huge_html_is_converted_only_up_to_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    from onboardd.parsers import message

    monkeypatch.setattr(message, "MAX_HTML_CHARS", 60)
    raw = (
        b"From: a@b.example.com\nContent-Type: text/html\n\n<p>Organization: Acme</p>"
        + b"<p>filler</p>" * 50
        + b"<p>END</p>"
    )
    mail = parse_message(raw)
    assert mail.text.startswith("Organization: Acme")
    assert "END" not in mail.text
    assert "HtmlTruncatedDefect" in mail.defects


@pytest.mark.parametrize("separator", ["", "-----Original Message-----\n",
                                       "________________________________\n"])
def test_a_cors_outlook_block_is_a_forward_under_any_subject(separator: str) -> None:
    """People forward the COR's approval under their own subject; Outlook's header block
    (with [mailto:] or <address>) is read as the forwarded mail it is."""
    body = (
        "Hello,\n\nOur request is below, with our COR's approval.\n\n"
        "Name of QualityNet IT Service: Jira\n\nThanks,\nJane\n\n" + separator
        + "From: Smith, Dana [mailto:dana.smith@cms.example.gov]\n"
        "Sent: Monday, March 2, 2026 4:12 PM\nTo: Jane Doe\n"
        "Subject: RE: approval for additional service\n\n"
        "I approve the request for Jira for Acme.\n\nDana\n"
    )
    parsed = mail("From: jane@acmehealth.example.com\nSubject: Jira request", body)
    facts = extract_facts(parsed, CATALOG, CORS)
    assert facts.cor.status is CorStatus.FORWARDED
    assert facts.cor.address == "dana.smith@cms.example.gov"
    assert "I approve" not in parsed.reply_text


# The five labels of the onboarding page, as contractors copy them.
_PUBLISHED = (
    "Name of Organization (HARP Organization Name Preferred)",
    "Name of QualityNet IT Service",
    "Business Justification for Use of Service",
    "Estimated Number of Users",
    "COR Approval",
)
_VALUES = ("Acme Health Solutions", "Jira", "Defect tracking with the CMS team", "40",
           "Approved by Dana Smith &lt;dana.smith@cms.example.gov&gt;")


def _outlook(plain: str, html_body: str) -> bytes:
    """A multipart/alternative mail as Outlook desktop writes it: CRLF lines, a
    quoted-printable plain part and Word's HTML."""
    qp_plain = plain.replace("=", "=3D").replace("\n", "\r\n")
    return (
        "From: \"Doe, Jane (Acme)\" <jane.doe@acmehealth.example.com>\r\n"
        "To: onboarding@onboard.example.gov\r\nSubject: QualityNet service request\r\n"
        "MIME-Version: 1.0\r\nX-Mailer: Microsoft Outlook 16.0\r\n"
        'Content-Type: multipart/alternative; boundary="----=_NextPart_000_0001"\r\n\r\n'
        "------=_NextPart_000_0001\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"{qp_plain}\r\n------=_NextPart_000_0001\r\n"
        'Content-Type: text/html; charset="us-ascii"\r\n\r\n'
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>'
        "p.MsoNormal{margin:0in}</style></head><body lang=EN-US>"
        f'<div class=WordSection1>{html_body}</div></body></html>\r\n'
        "------=_NextPart_000_0001--\r\n"
    ).encode("ascii")


def _word_table(values: tuple[str, ...] = _VALUES) -> str:
    rows = "".join(
        f"<tr><td width=240 valign=top><p class=MsoNormal><b>{label}<o:p></o:p></b></p></td>"
        f"<td width=380 valign=top><p class=MsoNormal>{value}<o:p></o:p></p></td></tr>"
        for label, value in zip(_PUBLISHED, values, strict=True))
    return f"<table class=MsoTableGrid border=1 cellpadding=0>{rows}</table>"


def test_outlook_tab_rows_in_the_plain_part_are_read_and_the_html_left_alone() -> None:
    plain = ("Hello,\n\n" + "".join(
        f"{label}\t{value.replace('&lt;', '<').replace('&gt;', '>')}\n"
        for label, value in zip(_PUBLISHED, _VALUES, strict=True)) + "\nThanks,\nJane\n")
    parsed = parse_message(_outlook(plain, _word_table(("Other Org", "Slack", "x", "9", "x"))))
    facts = extract_facts(parsed, CATALOG, CORS)
    assert (facts.organization, facts.services, facts.user_count) == (
        "Acme Health Solutions", ("Jira",), 40)
    assert facts.cor.status is CorStatus.STATED
    assert {place for _fact, place in facts.sources} == {"labels"}


def test_outlook_tab_rows_that_do_not_parse_are_read_from_the_html_table() -> None:
    # A label cell holding two paragraphs comes out of Outlook's plain part as a row cut
    # in two, with the value under a line that names nothing.
    plain = (
        "Hello,\n\nName of Organization\t\n(HARP Organization Name Preferred)\tAcme Health "
        "Solutions\nName of QualityNet\nIT Service\tJira\nBusiness Justification for Use of\n"
        "Service\tDefect tracking with the CMS team\nEstimated Number of Users\t40\n"
        "COR\nApproval\tApproved by Dana Smith <dana.smith@cms.example.gov>\n\n"
        "Thanks,\nJane\nPhone: 410-555-0100\nFax: 410-555-0101\n"
    )
    parsed = parse_message(_outlook(plain, "<p class=MsoNormal>Hello,<o:p></o:p></p>"
                                    + _word_table()
                                    + "<p class=MsoNormal>Thanks,<br>Jane<o:p></o:p></p>"))
    facts = extract_facts(parsed, CATALOG, CORS)
    assert facts.organization == "Acme Health Solutions"
    assert facts.services == ("Jira",)
    assert facts.justification == "Defect tracking with the CMS team"
    assert facts.user_count == 40
    assert facts.cor.status is CorStatus.STATED
    assert facts.cor.address == "dana.smith@cms.example.gov"
    sources = dict(facts.sources)
    # Rows the plain part kept whole ("IT Service<TAB>Jira") are read where they are.
    assert (sources["user_count"], sources["services"]) == ("labels", "labels")
    assert {sources[fact] for fact in ("organization", "justification", "cor")} == {
        "the HTML part"}


def test_the_quoted_part_of_an_html_reply_supplies_nothing() -> None:
    # A reply that adds the user count; the table under Outlook's reply header is the
    # earlier mail and must not fill the facts this one leaves out.
    quoted = ('<div id=divRplyFwdMsg><p class=MsoNormal><b>From:</b> Jane Doe<br>'
              "<b>Sent:</b> Monday, March 2, 2026 9:14 AM<br><b>Subject:</b> request</p></div>"
              + _word_table(("Initech", "Slack", "Old reasons", "300", "Approved")))
    parsed = parse_message(_outlook(
        "Estimated Number of Users: 40\n\n-----Original Message-----\nFrom: Jane Doe\n",
        "<p class=MsoNormal>Estimated Number of Users: 40<o:p></o:p></p>" + quoted))
    facts = extract_facts(parsed, CATALOG, CORS)
    assert facts.user_count == 40
    assert (facts.organization, facts.services, facts.justification) == (None, (), None)
    assert facts.cor.status is CorStatus.MISSING


@pytest.mark.parametrize(
    ("field", "name", "email"),
    [('"Smith, Dana (CMS/CCSQ)" <Dana.Smith@cms.example.gov>', "Smith, Dana (CMS/CCSQ)",
      "dana.smith@cms.example.gov"),
     ("SMITH, DANA <dana.smith@cms.example.gov>", "SMITH, DANA", "dana.smith@cms.example.gov"),
     ('"Smith, Dana X. [Contractor]" <dana@acme.example.com>', "Smith, Dana X. [Contractor]",
      "dana@acme.example.com"),
     ("=?utf-8?q?Smith=2C_Dana_=28CMS/CCSQ=29?= <d@cms.example.gov>",
      "Smith, Dana (CMS/CCSQ)", "d@cms.example.gov"),
     ("Dana Smith <d@cms.example.gov>", "Dana Smith", "d@cms.example.gov")],
)
def test_address_book_display_names_are_kept_whole(field: str, name: str, email: str) -> None:
    parsed = parse_message(f"From: {field}\r\nSubject: hi\r\n\r\nHello\r\n".encode())
    assert parsed.sender is not None
    assert (parsed.sender.name, parsed.sender.email) == (name, email)


def test_two_unquoted_names_in_to_stay_two_recipients() -> None:
    parsed = parse_message(b"From: a@x.example\r\nTo: Doe, Jane <jane@x.example>, "
                           b"Smith, Dana <dana@x.example>\r\nSubject: hi\r\n\r\nHello\r\n")
    assert [address.email for address in parsed.recipients] == ["jane@x.example", "dana@x.example"]
