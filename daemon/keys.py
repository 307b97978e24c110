"""The message key: one inbound mail, however many times or places it was delivered."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

TRACE_HEADERS = frozenset({b"received", b"return-path", b"delivered-to", b"x-original-to"})
# The mail is read in pieces this large: a whole-mail copy of a mail over glibc's mmap
# threshold costs a page fault per 4 KB, twice over for the two line-ending passes.
PIECE = 64 * 1024


def message_key(raw: bytes) -> str:
    """SHA-256 of the message without the trace headers each delivery adds.

    The Message-ID header stays in what is hashed, so a sender reusing a Message-ID for
    new content yields a new key instead of a silently dropped message.

    What is hashed is the mail with its line endings made LF (CRLF, CR and LF copies of
    a mail are one: line endings are the transport's, not the mail's), the header up to
    the first empty line less the trace headers (with their folded lines), then the empty
    line and the rest as it is. Keys are stored, so this must never change.
    """
    pieces = _with_lf(raw)
    head = bytearray()
    body_start: bytes | None = None
    for piece in pieces:
        searched_from = max(len(head) - 1, 0)  # an empty line may straddle two pieces
        head += piece
        end = head.find(b"\n\n", searched_from)
        if end >= 0:
            body_start = bytes(head[end + 2 :])
            del head[end:]
            break
    digest = hashlib.sha256()
    digest.update(b"\n".join(_without_trace(bytes(head))))
    digest.update(b"\n\n")
    if body_start is not None:
        digest.update(body_start)
        for piece in pieces:
            digest.update(piece)
    return digest.hexdigest()


def _with_lf(raw: bytes) -> Iterator[bytes]:
    """`raw` in pieces with CRLF and lone CR made LF; a CR that ends a piece waits for
    the next, which may start with its LF."""
    view = memoryview(raw)
    held = b""
    for start in range(0, len(raw), PIECE):
        piece = held + view[start : start + PIECE]
        held = b""
        if piece.endswith(b"\r"):
            piece, held = piece[:-1], b"\r"
        yield piece.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if held:
        yield b"\n"


def _without_trace(head: bytes) -> list[bytes]:
    kept: list[bytes] = []
    skipping = False
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower()
        skipping = name in TRACE_HEADERS
        if not skipping:
            kept.append(line)
    return kept
