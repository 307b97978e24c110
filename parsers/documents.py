"""The text of an attached document that may carry a request or an approval: the form
filled in as a Word file (python-docx) or a PDF (pypdf).

Bytes in, text out, within bounds: a file larger than MAX_BYTES or a PDF past
MAX_PAGES is read only so far, and a file the library cannot read (broken, encrypted,
hostile) gives no text and a defect, never an error that would cost the mail. Table
rows of two cells come out as "label: value" lines, so the label reader reads a form
in a document as it reads one in a mail.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

# A filled-in form is a few pages; a larger file is not decoded at all (the parse of a
# mail with a large attachment stays within a few copies of the mail).
MAX_BYTES = 2 * 1024 * 1024
MAX_PAGES = 10
MAX_CHARS = 100_000
# A DOCX is a zip: its parts together may not unpack to more than this (a zip bomb).
MAX_UNPACKED = 50 * 1024 * 1024

# How each kind of file begins: a DOCX is a zip archive.
MAGIC = {"docx": b"PK\x03\x04", "pdf": b"%PDF"}
_DOCX_TYPES = frozenset({
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
_PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
_GENERIC_TYPES = frozenset({"application/octet-stream", "application/x-download",
                            "binary/octet-stream"})


@dataclass(frozen=True)
class DocumentText:
    """What an attachment said, by its file name."""

    filename: str
    text: str


def kind_of(filename: str, content_type: str) -> str | None:
    """"docx", "pdf" or None: by the declared type, or by the name when the type is
    the generic one mail clients give files they do not know."""
    name = filename.lower()
    if content_type in _DOCX_TYPES or (content_type in _GENERIC_TYPES and name.endswith(".docx")):
        return "docx"
    if content_type in _PDF_TYPES or (content_type in _GENERIC_TYPES and name.endswith(".pdf")):
        return "pdf"
    return None


def document_text(kind: str, data: bytes) -> str:
    """The text of a document of `kind`; raises ValueError when it cannot be read."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES} bytes")
    try:
        text = _docx(data) if kind == "docx" else _pdf(data)
    except ValueError:
        raise
    except Exception as exc:  # the libraries raise their own errors on bad files
        raise ValueError(f"{kind} unreadable: {type(exc).__name__}") from exc
    return text[:MAX_CHARS]


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


def _pdf(data: bytes) -> str:
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns on every odd file
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise ValueError("pdf is encrypted")
    pages = [page.extract_text() or "" for page in reader.pages[:MAX_PAGES]]
    return "\n".join(pages)
