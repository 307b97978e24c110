"""Tolerant decoding of bytes and RFC 2047 header words into text, never raising."""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re

# Senders label cp1252 text as latin-1 or ASCII all the time (smart quotes, euro sign);
# cp1252 is a superset for every printable latin-1 character, so reading it as
# cp1252 first is what browsers do too.
_LATIN1_ALIASES = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1"})
_ASCII_ALIASES = frozenset({"us-ascii", "ascii", "ansi_x3.4-1968", "646"})

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)[ \t\r\n]+(=\?)")
_FOLDING = re.compile(r"(?:\r\n|\r|\n)[ \t]*")


def _codec(charset: str | None) -> str | None:
    """The Python codec name for a MIME charset label, or None when Python has none."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").lower()
    # RFC 2231 allows a language tag after '*' (utf-8*en); it is not part of the name.
    label = label.partition("*")[0]
    if label in _LATIN1_ALIASES or label in _ASCII_ALIASES:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes to text: the declared charset, else UTF-8, else cp1252, else latin-1."""
    declared = _codec(charset)
    # UTF-8 goes first when the label is missing, unknown or cp1252-ish, because
    # valid UTF-8 is almost never an accident while cp1252 accepts nearly anything.
    if declared is None or declared == "cp1252":
        order = ["utf-8", "cp1252"]
    else:
        order = [declared, "utf-8", "cp1252"]
    for name in order:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def unescape_surrogates(value: str) -> str:
    """Header text from the stdlib's bytes parser, with raw 8-bit bytes decoded."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"))


def _decode_word(match: re.Match[str]) -> str:
    charset, kind, payload = match.group(1), match.group(2).upper(), match.group(3)
    try:
        if kind == "B":
            # Senders often drop the padding; add it back rather than give up.
            raw = base64.b64decode(payload + "=" * (-len(payload) % 4))
        else:
            raw = quopri.decodestring(payload.encode("ascii", "replace"), header=True)
    except (binascii.Error, ValueError):
        return match.group(0)
    return decode_bytes(raw, charset)


def decode_header_value(value: str) -> str:
    """A raw header value unfolded, with 8-bit bytes and encoded words decoded."""
    text = _FOLDING.sub(" ", unescape_surrogates(value))
    text = _BETWEEN_WORDS.sub(r"\1\2", text)
    return _ENCODED_WORD.sub(_decode_word, text).strip()
