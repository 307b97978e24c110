"""Pure parsing: raw bytes to a parsed mail, request facts and decisions."""

from onboardd.parsers.autogen import detect_auto
from onboardd.parsers.facts import extract_facts, wants_withdrawal
from onboardd.parsers.html import html_to_text
from onboardd.parsers.message import parse_message
from onboardd.parsers.reply import trim_reply

__all__ = [
    "detect_auto",
    "extract_facts",
    "html_to_text",
    "parse_message",
    "trim_reply",
    "wants_withdrawal",
]
