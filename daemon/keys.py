"""The message key: one inbound mail, however many times or places it was delivered."""

from __future__ import annotations

import hashlib

TRACE_HEADERS = frozenset({b"received", b"return-path", b"delivered-to", b"x-original-to"})


def message_key(raw: bytes) -> str:
    """SHA-256 of the message without the trace headers each delivery adds.

    The Message-ID header stays in what is hashed, so a sender reusing a Message-ID for
    new content yields a new key instead of a silently dropped message.
    """
    # Line endings are the transport's, not the mail's: CRLF, CR and LF copies are one.
    text = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    head, _, body = text.partition(b"\n\n")
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
    digest = hashlib.sha256()
    digest.update(b"\n".join(kept))
    digest.update(b"\n\n")
    digest.update(body)
    return digest.hexdigest()
