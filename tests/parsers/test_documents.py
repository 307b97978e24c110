"""Attached documents: a form in a Word file or a PDF is read, an Outlook .msg or a letter
the COR signed is COR evidence, and a bad or hostile file costs the mail nothing."""

from __future__ import annotations

import io
import time
import zipfile
from email.message import EmailMessage

import docx
import pytest
from pypdf import PdfWriter
from pypdf.generic import ContentStream, DictionaryObject, NameObject

from evaluation.outlook_msg import a_msg, compound_file
from onboardd.parsers.documents import (
    MAX_PAGES,
    TIME_BUDGET,
    TimeSpent,
    document_text,
    kind_of,
)
from onboardd.parsers.facts import extract_facts
from onboardd.parsers.message import parse_message
from onboardd.parsers.model import CorStatus
from tests.parsers.support import CATALOG, CORS


def with_attachment(data: bytes, filename: str, ctype: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Jane Doe <jane@acmehealth.example.com>"
    message["To"] = "onboarding@onboard.example.gov"
    message["Subject"] = "Our request form"
    message.set_content("Hello,\n\nOur request form is attached.\n\nJane\n")
    maintype, subtype = ctype.split("/")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


def a_form() -> bytes:
    document = docx.Document()
    document.add_paragraph("Request for an additional QualityNet IT service")
    table = document.add_table(rows=0, cols=2)
    for label, value in (
        ("Name of Organization (HARP Organization Name Preferred)", "Acme Health Solutions"),
        ("Name of QualityNet IT Service", "Confluence"),
        ("Business Justification for Use of Service", "Shared measure specifications"),
        ("Estimated Number of Users", "15"),
        ("COR Approval", "Approved by Dana Smith <dana.smith@cms.example.gov>"),
    ):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_form_in_a_word_file_is_read_and_said_to_come_from_it() -> None:
    raw = with_attachment(a_form(), "request form.docx", "application/octet-stream")
    facts = extract_facts(parse_message(raw), CATALOG, CORS)
    assert (facts.organization, facts.services, facts.user_count) == (
        "Acme Health Solutions", ("Confluence",), 15)
    assert facts.cor.address == "dana.smith@cms.example.gov"
    assert dict(facts.sources)["services"] == "the attachment request form.docx"


@pytest.mark.parametrize(
    ("data", "filename", "ctype"),
    [
        (b"not a zip at all", "form.docx", "application/octet-stream"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n%%EOF\n", "form.pdf",
         "application/pdf"),
        (b"\x00" * 1000, "scan.pdf", "application/pdf"),
    ],
)
def test_an_unreadable_document_is_a_defect_not_a_failure(
    data: bytes, filename: str, ctype: str
) -> None:
    mail = parse_message(with_attachment(data, filename, ctype))
    assert mail.documents == ()
    assert "UnreadableDocumentDefect" in mail.defects
    assert mail.text.startswith("Hello")


def test_a_docx_that_unpacks_too_far_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" * (60 * 1024 * 1024))
    with pytest.raises(ValueError, match="unpacks"):
        document_text("docx", out.getvalue())


def test_which_attachments_are_read() -> None:
    assert kind_of("Form.DOCX", "application/octet-stream") == "docx"
    assert kind_of("x", "application/pdf") == "pdf"
    assert kind_of("notes.txt", "application/octet-stream") is None
    assert kind_of("photo.jpg", "image/jpeg") is None


# -- PDF: written in the test with pypdf ------------------------------------------------


def a_pdf(pages: list[list[str]], password: str | None = None) -> bytes:
    """A PDF with one page per list of lines, in Helvetica, written with pypdf."""
    writer = PdfWriter()
    helvetica = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")})
    for lines in pages:
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): helvetica})})
        shown = " ".join(
            "({}) Tj T*".format(line.replace("\\", "\\\\").replace("(", "\\(")
                                .replace(")", "\\)")) for line in lines)
        stream = ContentStream(None, writer)
        stream.set_data(f"BT /F1 10 Tf 72 740 Td 13 TL {shown} ET".encode("latin-1"))
        page.replace_contents(stream)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


FORM_LINES = [
    "Request for an additional QualityNet IT service",
    "Name of Organization: Northwind Analytics",
    "Name of QualityNet IT Service: Jira",
    "Business Justification for Use of Service: Track defects found in measure testing",
    "Estimated Number of Users: 12",
]


def test_a_form_printed_to_pdf_is_read_and_said_to_come_from_it() -> None:
    raw = with_attachment(a_pdf([FORM_LINES]), "Jira request.pdf", "application/pdf")
    parsed = parse_message(raw)
    assert [d.filename for d in parsed.documents] == ["Jira request.pdf"]
    facts = extract_facts(parsed, CATALOG, CORS)
    assert (facts.organization, facts.services, facts.user_count) == (
        "Northwind Analytics", ("Jira",), 12)
    assert dict(facts.sources)["user_count"] == "the attachment Jira request.pdf"


def test_the_mails_own_labels_win_over_the_attachments() -> None:
    message = EmailMessage()
    message["From"] = "Jane Doe <jane@acmehealth.example.com>"
    message["Subject"] = "Jira request"
    message.set_content("Estimated Number of Users: 30\n\nThe form is attached.\n")
    message.add_attachment(a_pdf([FORM_LINES]), maintype="application", subtype="pdf",
                           filename="form.pdf")
    facts = extract_facts(parse_message(bytes(message)), CATALOG, CORS)
    assert facts.user_count == 30 and dict(facts.sources)["user_count"] == "labels"
    assert dict(facts.sources)["organization"] == "the attachment form.pdf"


def test_only_the_first_pages_of_a_long_pdf_are_read() -> None:
    pages = [[f"Page {n} of the appendix"] for n in range(1, MAX_PAGES + 5)]
    text = document_text("pdf", a_pdf(pages))
    assert f"Page {MAX_PAGES} of" in text and f"Page {MAX_PAGES + 1} of" not in text


def test_a_pdf_stops_between_pages_when_the_mails_time_is_spent() -> None:
    pages = [[f"Page {n}"] for n in range(1, 6)]
    assert document_text("pdf", a_pdf(pages), until=time.monotonic() + 60).count("Page") == 5
    with pytest.raises(TimeSpent):
        document_text("pdf", a_pdf(pages), until=time.monotonic() - 1)


def test_files_after_the_mails_time_is_spent_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    from onboardd.parsers import mime

    monkeypatch.setattr(mime, "deadline", lambda: time.monotonic() - 1)  # spent at once
    mail = parse_message(with_attachment(a_pdf([FORM_LINES]), "form.pdf", "application/pdf"))
    assert mail.documents == () and "DocumentTimeSpentDefect" in mail.defects


def test_an_encrypted_pdf_is_a_defect() -> None:
    mail = parse_message(with_attachment(a_pdf([FORM_LINES], password="s3cret"), "form.pdf",
                                         "application/pdf"))
    assert mail.documents == () and "UnreadableDocumentDefect" in mail.defects


# A page tree whose only kid is the tree itself: a reader that follows it never ends.
LOOPING_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def test_a_pdf_whose_page_tree_loops_costs_the_mail_nothing() -> None:
    started = time.monotonic()
    mail = parse_message(with_attachment(LOOPING_PDF, "form.pdf", "application/pdf"))
    assert time.monotonic() - started < TIME_BUDGET
    assert mail.documents == () and "UnreadableDocumentDefect" in mail.defects
    assert mail.text.startswith("Hello")


# -- the COR's approval as a document -----------------------------------------------------


def test_an_approval_printed_from_outlook_is_a_forwarded_approval() -> None:
    printed = a_pdf([[
        "Dana Smith",
        "From: Smith, Dana <dana.smith@cms.example.gov>",
        "Sent: Monday, March 2, 2026 4:12 PM",
        "To: Doe, Jane <jane@acmehealth.example.com>",
        "Subject: RE: Confluence for Acme Health",
        "",
        "Jane, I approve the Confluence request for Acme Health Solutions.",
        "Dana",
    ]])
    parsed = parse_message(with_attachment(printed, "COR approval.pdf", "application/pdf"))
    [forwarded] = parsed.forwarded
    assert forwarded.source == "attachment COR approval.pdf"
    assert forwarded.subject == "RE: Confluence for Acme Health"
    cor = extract_facts(parsed, CATALOG, CORS).cor
    assert (cor.status, cor.address) == (CorStatus.FORWARDED, "dana.smith@cms.example.gov")


def a_letter(closing: list[str], words: str) -> bytes:
    document = docx.Document()
    for line in ["March 2, 2026", "To the QualityNet onboarding team,", words, "Sincerely,",
                 *closing]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_letter_signed_by_the_cor_that_approves_is_a_forwarded_approval() -> None:
    letter = a_letter(["Dana Smith", "Contracting Officer's Representative",
                       "dana.smith@cms.example.gov"],
                      "I approve the request of Acme Health Solutions for Confluence.")
    parsed = parse_message(with_attachment(letter, "approval letter.docx",
                                           "application/octet-stream"))
    cor = extract_facts(parsed, CATALOG, CORS).cor
    assert (cor.status, cor.address) == (CorStatus.FORWARDED, "dana.smith@cms.example.gov")
    assert cor.detail == "approval signed in the attachment approval letter.docx"


@pytest.mark.parametrize(
    ("closing", "words"),
    [
        # Signed by the COR, but withholding consent.
        (["Dana Smith", "dana.smith@cms.example.gov"],
         "I cannot approve the request of Acme Health Solutions until training is done."),
        # Approving, but signed by someone who is not a COR.
        (["Jane Doe", "jane@acmehealth.example.com"],
         "I approve the request of Acme Health Solutions for Confluence."),
        # The COR's address far from the closing lines, named as a contact only.
        (["Jane Doe", "Project lead", "Acme Health Solutions", "jane@acmehealth.example.com",
          "555-0100", "Suite 300", "Baltimore, MD"],
         "I approve on behalf of our team; our COR is dana.smith@cms.example.gov."),
        # The requester's own line stating the COR's approval, as a form has it.
        (["Jane Doe", "COR Approval: approved by Dana Smith <dana.smith@cms.example.gov>"],
         "Our request for Confluence is in the mail this letter came with."),
    ],
)
def test_a_letter_is_no_cor_approval_unless_the_cor_signs_and_approves(
    closing: list[str], words: str
) -> None:
    parsed = parse_message(with_attachment(a_letter(closing, words), "letter.docx",
                                           "application/octet-stream"))
    assert extract_facts(parsed, CATALOG, CORS).cor.status is not CorStatus.FORWARDED


def test_a_form_stating_the_cor_approval_is_the_requesters_word_not_the_cors() -> None:
    raw = with_attachment(a_form(), "request form.docx", "application/octet-stream")
    cor = extract_facts(parse_message(raw), CATALOG, CORS).cor
    assert (cor.status, cor.address) == (CorStatus.STATED, "dana.smith@cms.example.gov")


# -- Outlook .msg --------------------------------------------------------------------------
def test_an_outlook_msg_from_the_cor_is_a_forwarded_approval() -> None:
    saved = a_msg("Smith, Dana", "dana.smith@cms.example.gov", "RE: Jira for Acme Health",
                  "Jane,\n\nI approve the Jira request for Acme Health Solutions.\n\nDana")
    parsed = parse_message(with_attachment(saved, "RE Jira for Acme Health.msg",
                                           "application/vnd.ms-outlook"))
    [forwarded] = parsed.forwarded
    assert forwarded.source == "attachment"
    assert forwarded.sender is not None
    assert (forwarded.sender.name, forwarded.sender.email) == ("Smith, Dana",
                                                               "dana.smith@cms.example.gov")
    assert forwarded.subject == "RE: Jira for Acme Health"
    assert "I approve the Jira request" in forwarded.text and "I approve" not in parsed.text
    cor = extract_facts(parsed, CATALOG, CORS).cor
    assert (cor.status, cor.address) == (CorStatus.FORWARDED, "dana.smith@cms.example.gov")


def test_an_outlook_msg_from_someone_else_approves_nothing() -> None:
    saved = a_msg("Lee, Sam", "sam.lee@acmehealth.example.com", "RE: Jira",
                  "I approve, go ahead.")
    parsed = parse_message(with_attachment(saved, "approval.msg", "application/octet-stream"))
    assert parsed.forwarded[0].sender is not None
    assert extract_facts(parsed, CATALOG, CORS).cor.status is not CorStatus.FORWARDED


@pytest.mark.parametrize(
    "data",
    [
        bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600,  # a compound file's start, then junk
        compound_file({"WordDocument": b"\0" * 100}),  # an old Word file named .msg
    ],
)
def test_a_msg_that_is_no_mail_is_a_defect(data: bytes) -> None:
    parsed = parse_message(with_attachment(data, "approval.msg", "application/octet-stream"))
    assert parsed.forwarded == ()
    assert "UnreadableDocumentDefect" in parsed.defects


def test_which_attachments_are_read_includes_outlook_files() -> None:
    assert kind_of("RE Approval.MSG", "application/octet-stream") == "msg"
    assert kind_of("x", "application/vnd.ms-outlook") == "msg"


def test_an_outlook_msg_written_in_html_only_is_read_from_its_html() -> None:
    saved = compound_file({
        "__properties_version1.0": bytes(32),
        "__substg1.0_001A001F": "IPM.Note".encode("utf-16-le"),
        "__substg1.0_0037001F": "RE: Jira".encode("utf-16-le"),
        "__substg1.0_0C1A001F": "Dana Smith".encode("utf-16-le"),
        "__substg1.0_5D01001F": "dana.smith@cms.example.gov".encode("utf-16-le"),
        "__substg1.0_10130102": b"<html><body><p>Jane,</p><p>I approve the Jira request."
                                b"</p></body></html>",  # the HTML body, as bytes
    })
    parsed = parse_message(with_attachment(saved, "approval.msg", "application/vnd.ms-outlook"))
    assert parsed.forwarded[0].text == "Jane,\n\nI approve the Jira request."
