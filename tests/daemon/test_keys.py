"""The message key: same mail, same key, however it was delivered."""

from __future__ import annotations

from onboardd.daemon.keys import message_key

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
