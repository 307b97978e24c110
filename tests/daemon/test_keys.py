"""The message key: same mail, same key, however it was delivered."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from onboardd.daemon import keys
from onboardd.daemon.keys import message_key

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures" / "mails").glob("*.eml"))

MAIL = b"From: a@example.com\nMessage-ID: <1@example.com>\nSubject: hi\n\nbody\nline two\n"


def test_trace_headers_and_line_endings_do_not_change_the_key() -> None:
    delivered = (
        b"Return-Path: <a@example.com>\nDelivered-To: onboarding@onboard.example.gov\n"
        b"Received: from mx1\n  by mx2 with ESMTP\nX-Original-To: onb@onboard.example.gov\n" + MAIL
    )
    assert message_key(delivered) == message_key(MAIL)
    assert message_key(MAIL.replace(b"\n", b"\r\n")) == message_key(MAIL)
    assert message_key(MAIL.replace(b"\n", b"\r")) == message_key(MAIL)


def test_new_content_under_a_reused_message_id_is_a_new_key() -> None:
    assert message_key(MAIL.replace(b"line two", b"line 2")) != message_key(MAIL)
    assert message_key(MAIL.replace(b"Subject: hi", b"Subject: hello")) != message_key(MAIL)


def whole_mail_key(raw: bytes) -> str:
    """The key as first defined, on the whole mail at once: stored keys depend on it.
    The trace headers are dropped by the daemon's own filter, which reading in pieces
    did not change; what is checked is the reading."""
    text = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    head, _, body = text.partition(b"\n\n")
    kept = keys._without_trace(head)
    return hashlib.sha256(b"\n".join(kept) + b"\n\n" + body).hexdigest()


@pytest.mark.parametrize("piece", [1, 2, 3, 5, 64 * 1024])
def test_the_key_read_in_pieces_is_the_key_of_the_whole_mail(
    piece: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pieces of 1-5 bytes put every CR, LF and empty line on a piece boundary somewhere.
    monkeypatch.setattr(keys, "PIECE", piece)
    rng = random.Random(piece)
    samples = [
        b"",
        b"\r",
        b"\n\n",
        b"\r\n\r\n",
        b"\r\r",
        b"Subject: no body",
        b"Subject: x\r\n\r\n",
        b"Received: a\r\n b\r\nSubject: x\r\n\r\nbody\r",
        MAIL,
        MAIL.replace(b"\n", b"\r\n"),
        MAIL.replace(b"\n", b"\r"),
    ]
    samples += [
        bytes(rng.choice(b"ab:\r\n \t") for _ in range(rng.randrange(60))) for _ in range(300)
    ]
    samples += [path.read_bytes() for path in FIXTURES]
    for raw in samples:
        assert keys.message_key(raw) == whole_mail_key(raw), raw[:80]
