"""Attached documents: a form in a Word file or a PDF is read; a bad file costs nothing."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage

import docx
import pytest

from onboardd.parsers.documents import document_text, kind_of
from onboardd.parsers.facts import extract_facts
from onboardd.parsers.message import parse_message
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
