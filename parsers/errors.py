"""The parsers' own errors: every failure of parsing surfaces as one of these."""


class ParseError(Exception):
    """A message could not be parsed; the reason is safe to store and show to staff."""

    reason = "unparseable"


class MessageTooLarge(ParseError):
    reason = "too-large"


class MessageTooComplex(ParseError):
    """Too many MIME parts or too deep a nesting to parse safely."""

    reason = "too-complex"


class MalformedMessage(ParseError):
    reason = "malformed"
