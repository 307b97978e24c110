"""How mail clients lay out a reply around the message it answers, as real bytes.

The evaluation sets keep each person's words apart from the client that carried them,
so one set of words is read through every layout: Outlook's header block, Gmail's and
Apple Mail's attributions with ">" quotes, a phone's footer, HTML-only webmail.
"""

from __future__ import annotations

import hashlib
import html
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

CLIENTS = ("plain", "outlook", "outlook-html", "gmail", "apple", "iphone", "thunderbird",
           "html-only")
OURS = "Onboarding Services <onboarding@onboard.example.gov>"
WHEN = datetime(2026, 3, 3, 14, 14, tzinfo=UTC)


def reply_bytes(sender: str, subject: str, text: str, quoted: str, client: str,
                *, to: str = OURS) -> bytes:
    """A reply from `sender` whose new words are `text`, quoting `quoted` as `client` does."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(WHEN)
    digest = hashlib.sha256(f"{sender}|{subject}|{text}|{client}".encode()).hexdigest()[:16]
    message["Message-ID"] = f"<{digest}@client.example>"
    if client == "html-only":
        message.set_content(_html(text, quoted, client), subtype="html")
    elif client == "outlook-html":
        message.set_content(_plain(text, quoted, client))
        message.add_alternative(_html(text, quoted, client), subtype="html")
    else:
        message.set_content(_plain(text, quoted, client))
    return bytes(message)


def _plain(text: str, quoted: str, client: str) -> str:
    q = quoted.splitlines()
    marked = "\n".join(f"> {line}" if line else ">" for line in q)
    if client == "plain":
        return text
    if client in ("outlook", "outlook-html"):
        return (f"{text}\n\n________________________________\nFrom: {OURS}\n"
                "Sent: Tuesday, March 3, 2026 9:14 AM\nTo: Pat Lee <pat.lee@cms.example.gov>\n"
                "Subject: [ONB-2026-0042] Approval needed\n\n" + quoted)
    if client == "gmail":
        return (f"{text}\n\nOn Tue, Mar 3, 2026 at 9:14 AM {OURS} wrote:\n\n{marked}\n")
    if client == "apple":
        return f"{text}\n\n> On Mar 3, 2026, at 9:14 AM, {OURS} wrote:\n>\n{marked}\n"
    if client == "iphone":
        return (f"{text}\n\nSent from my iPhone\n\n> On Mar 3, 2026, at 9:14 AM, {OURS} "
                f"wrote:\n>\n{marked}\n")
    if client == "thunderbird":
        return f"{text}\n\nOn 3/3/26 9:14 AM, Onboarding Services wrote:\n{marked}\n"
    raise ValueError(f"unknown client {client!r}")


def _html(text: str, quoted: str, client: str) -> str:
    def paragraphs(words: str, css: str) -> str:
        return "".join(f'<p class="{css}">{html.escape(line) or "&nbsp;"}<o:p></o:p></p>'
                       for line in words.splitlines()) or f'<p class="{css}"><o:p></o:p></p>'

    if client == "outlook-html":
        return ('<html><body><div class="WordSection1">' + paragraphs(text, "MsoNormal")
                + '<div id="divRplyFwdMsg"><p class="MsoNormal"><b>From:</b> '
                + html.escape(OURS) + "<br><b>Sent:</b> Tuesday, March 3, 2026 9:14 AM<br>"
                "<b>Subject:</b> [ONB-2026-0042] Approval needed</p></div>"
                + paragraphs(quoted, "MsoNormal") + "</div></body></html>")
    body = "".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in text.splitlines())
    return (f"<html><body>{body}<div class=\"gmail_quote\"><div>On Tue, Mar 3, 2026 "
            f"{html.escape(OURS)} wrote:</div><blockquote>"
            + "".join(f"<div>{html.escape(line)}</div>" for line in quoted.splitlines())
            + "</blockquote></div></body></html>")
