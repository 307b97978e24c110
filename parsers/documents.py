"""The text of an attached file that may carry a request or an approval: the form
filled in as a Word file (python-docx) or a PDF (pypdf), or a mail saved from Outlook
as a .msg file (olefile reads its few properties).

Bytes in, text out, within bounds: a file larger than MAX_BYTES is not decoded, a PDF is
read to MAX_PAGES, and one mail's files share a time budget. A file the library cannot
read (broken, encrypted, hostile) gives no text and a defect, never an error that would
cost the mail. Table rows of two cells come out as "label: value" lines, so the label
reader reads a form in a document as it reads one in a mail.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import time
import zipfile
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any

from onboardd.parsers.html import html_to_text

# A filled-in form is a few pages; a larger file is not decoded at all (the parse of a
# mail with a large attachment stays within a few copies of the mail).
MAX_BYTES = 2 * 1024 * 1024
MAX_PAGES = 10
MAX_CHARS = 100_000
# A DOCX is a zip: its parts together may not unpack to more than this (a zip bomb).
MAX_UNPACKED = 50 * 1024 * 1024
# Seconds one mail's files may take together: a PDF built to be slow stops between
# pages, and the files after it are skipped, so a hostile file costs a bounded delay.
TIME_BUDGET = 3.0

# How each kind of file begins: a DOCX is a zip archive, a .msg a compound file.
MAGIC = {"docx": b"PK\x03\x04", "pdf": b"%PDF", "msg": bytes.fromhex("D0CF11E0A1B11AE1")}
_DOCX_TYPES = frozenset({
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
_PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
_MSG_TYPES = frozenset({"application/vnd.ms-outlook", "application/x-msg"})
_GENERIC_TYPES = frozenset({"application/octet-stream", "application/x-download",
                            "binary/octet-stream"})


@dataclass(frozen=True)
class DocumentText:
    """What an attachment said, by its file name."""

    filename: str
    text: str


class TimeSpent(ValueError):
    """The mail's time for its files ran out before this one was read."""


@dataclass(frozen=True)
class SavedMail:
    """A mail saved from Outlook as a .msg file: its From (as a header value, "Dana
    Smith <dana@x>"), subject and text."""

    sender: str
    subject: str
    text: str


def kind_of(filename: str, content_type: str) -> str | None:
    """"docx", "pdf", "msg" or None: by the declared type, or by the name when the type
    is the generic one mail clients give files they do not know."""
    name = filename.lower()
    generic = content_type in _GENERIC_TYPES
    if content_type in _DOCX_TYPES or (generic and name.endswith(".docx")):
        return "docx"
    if content_type in _PDF_TYPES or (generic and name.endswith(".pdf")):
        return "pdf"
    if content_type in _MSG_TYPES or (generic and name.endswith(".msg")):
        return "msg"
    return None


def deadline() -> float:
    """The moment one mail's files must be read by (a time.monotonic() value)."""
    return time.monotonic() + TIME_BUDGET


def document_text(kind: str, data: bytes, until: float | None = None) -> str:
    """The text of a Word or PDF document; raises ValueError when it cannot be read.

    A PDF's pages stop at `until` (time.monotonic()); the pages read by then are kept.
    """
    _check(data, until)
    try:
        text = _docx(data) if kind == "docx" else _pdf(data, until)
    except ValueError:
        raise
    except Exception as exc:  # the libraries raise their own errors on bad files
        raise ValueError(f"{kind} unreadable: {type(exc).__name__}") from exc
    return text[:MAX_CHARS]


def saved_mail(data: bytes, until: float | None = None) -> SavedMail:
    """The sender, subject and text of an Outlook .msg file; ValueError when unreadable."""
    _check(data, until)
    try:
        return _msg(data)
    except Exception as exc:  # olefile raises its own errors on a broken file
        raise ValueError(f"msg unreadable: {type(exc).__name__}") from exc


def _check(data: bytes, until: float | None) -> None:
    if len(data) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES} bytes")
    if until is not None and time.monotonic() > until:
        raise TimeSpent("the mail's time for its attachments is spent")


def _docx(data: bytes) -> str:
    import docx  # python-docx, imported where a document is read

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
            raise ValueError("docx unpacks to more than the limit")
    document = docx.Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = [" ".join(cell.text.split()) for cell in row.cells]
            cells = [c for i, c in enumerate(cells) if c and c not in cells[:i]]
            if len(cells) == 2:
                lines.append(f"{cells[0].rstrip(':')}: {cells[1]}")
            else:
                lines.extend(cells)
    return "\n".join(lines)


def _pdf(data: bytes, until: float | None) -> str:
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns on every odd file
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise ValueError("pdf is encrypted")
    pages: list[str] = []
    for page in reader.pages[:MAX_PAGES]:
        pages.append(page.extract_text() or "")
        if until is not None and time.monotonic() > until:
            break
    return "\n".join(pages)


def _msg(data: bytes) -> SavedMail:
    import olefile  # the compound-file reader; imported where a .msg is read

    with olefile.OleFileIO(data) as ole:
        if not _property(ole, 0x001A).startswith("IPM.Note"):
            raise ValueError("not a mail (a meeting, contact or task)")
        text = _property(ole, 0x1000)
        if not text:
            html = _property(ole, 0x1013)  # a mail written in HTML only
            text = html_to_text(html) if html else ""
        name = _property(ole, 0x0C1A)
        address = _property(ole, 0x5D01) or _property(ole, 0x0C1F)
        if "@" not in address:  # an Exchange directory name, not an address
            address = ""
        sender = formataddr((name, address)) if address else name
        return SavedMail(sender=sender, subject=_property(ole, 0x0037),
                         text=text.replace("\r\n", "\n")[:MAX_CHARS])


# The types a top-level property of a .msg is stored as (MS-OXMSG 2.1.3): its stream is
# named __substg1.0_ + the property id + the type, all in hex.
_UNICODE, _STRING8, _BINARY = "001F", "001E", "0102"


def _property(ole: Any, property_id: int) -> str:  # an olefile.OleFileIO (untyped)
    """A top-level string property of a .msg, "" when it is absent. An 8-bit string is
    decoded as Windows-1252 (what Outlook writes for the West), an HTML body given as
    bytes by its declared charset or UTF-8."""
    for kind in (_UNICODE, _STRING8, _BINARY):
        name = f"__substg1.0_{property_id:04X}{kind}"
        if not ole.exists(name):
            continue
        raw = ole.openstream(name).read(MAX_BYTES)
        if kind == _UNICODE:
            return raw.decode("utf-16-le", "replace").rstrip("\0")
        if kind == _STRING8:
            return raw.decode("cp1252", "replace").rstrip("\0")
        return raw.decode(_declared_charset(raw) or "utf-8", "replace").rstrip("\0")
    return ""


def _declared_charset(html: bytes) -> str | None:
    found = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", html[:2048])
    if not found:
        return None
    charset = found.group(1).decode("ascii")
    try:
        codecs.lookup(charset)
    except LookupError:
        return None
    return charset
