"""Property tests: real mails, mutated, never make the parser raise anything but its own error.

The deadline is a hang guard, not a performance goal (bench/ measures speed): a mail
that takes seconds to parse would stall the mailbox behind it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onboardd.parsers.errors import MessageTooComplex, MessageTooLarge, ParseError
from onboardd.parsers.message import parse_message
from tests.parsers.support import MAILS

SEEDS = sorted(MAILS.glob("*.eml")) + sorted(
    (Path(__file__).resolve().parents[2] / "samples").glob("*.eml")
)
SEED_BYTES = [path.read_bytes() for path in SEEDS]
FUZZ = settings(
    max_examples=300,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def parses_or_refuses(raw: bytes) -> None:
    try:
        parsed = parse_message(raw)
    except ParseError:
        return
    # Whatever came out is usable by the rest of the program.
    assert isinstance(parsed.text, str) and isinstance(parsed.reply_text, str)
    assert parsed.size == len(raw)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    raw = draw(st.sampled_from(SEED_BYTES))
    operation = draw(
        st.sampled_from(
            ["truncate", "splice", "nul", "boundary", "charset", "long-header", "flip", "crlf"]
        )
    )
    if operation == "truncate":
        return raw[: draw(st.integers(0, len(raw)))]
    if operation == "splice":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.binary(max_size=200)) + raw[at:]
    if operation == "nul":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + b"\x00" * draw(st.integers(1, 50)) + raw[at:]
    if operation == "boundary":
        return raw.replace(b"boundary=", b"boundary=" + draw(st.binary(min_size=1, max_size=8)))
    if operation == "charset":
        wrong = draw(
            st.sampled_from([b"x-unknown", b"utf-7", b"", b"\xff\xfe", b"koi8-r", b"utf-16"])
        )
        return raw.replace(b"charset=", b"charset=" + wrong + b";x=", 1)
    if operation == "long-header":
        return b"X-Long: " + b"a" * draw(st.integers(1000, 300_000)) + b"\n" + raw
    if operation == "flip":
        data = bytearray(raw)
        for _ in range(draw(st.integers(1, 20))):
            if data:
                data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    return raw.replace(b"\n", b"\r")


@FUZZ
@given(mutated())
def test_mutated_real_mails(raw: bytes) -> None:
    parses_or_refuses(raw)


@FUZZ
@given(st.binary(max_size=4000))
def test_arbitrary_bytes(raw: bytes) -> None:
    parses_or_refuses(raw)


def nested(depth: int) -> bytes:
    head = b"From: a@example.com\nSubject: deep\n"
    body = b"Content-Type: text/plain\n\ninnermost\n"
    for level in range(depth):
        boundary = f"b{level}".encode()
        body = (
            b"Content-Type: multipart/mixed; boundary="
            + boundary
            + b"\n\n--"
            + boundary
            + b"\n"
            + body
            + b"\n--"
            + boundary
            + b"--\n"
        )
    return head + body


def many_parts(count: int) -> bytes:
    parts = b"".join(b"--b\nContent-Type: text/plain\n\npart\n" for _ in range(count))
    return (
        b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n" + parts + b"--b--\n"
    )


def test_limits_refuse_with_their_own_reason() -> None:
    for raw, error in (
        (nested(200), MessageTooComplex),
        (nested(5000), MessageTooComplex),
        (many_parts(10_000), MessageTooComplex),
        (b"From: a@example.com\n\n" + b"x" * 2000, MessageTooLarge),
    ):
        try:
            parse_message(raw, max_bytes=1024 if error is MessageTooLarge else 26_214_400)
        except error as exc:
            assert exc.reason in {"too-complex", "too-large"}
        else:
            raise AssertionError(f"{error.__name__} expected")
    assert parse_message(nested(5)).text.strip() == "innermost"
