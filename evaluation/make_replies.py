"""Write the approver replies of the evaluation set as the mail files a client would send.

`replies/expected.toml` is the labelled list: for each file, the approver's own words,
the mail client that carried them, the reading a careful clerk would give, and for a
denial the reason the requester must be told. This module lays each entry's words out
as its client does, above the quoted approval request (or above the quote the entry
names, when what the quote says matters), and writes the bytes to `replies/<file>`.
An entry without `words` is a mail file kept as it was captured and is left alone.

The files are committed so the set can be read and reviewed as mail; run
`python -m evaluation.make_replies` after changing an entry (the same entries write the
same bytes).
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from evaluation.mailforms import CLIENTS, OURS, WHEN, reply_bytes

FOLDER = Path(__file__).with_name("replies")
EXPECTED = FOLDER / "expected.toml"
SUBJECT = "RE: [ONB-2026-0042] Approval needed: Jira for Acme Health Solutions"
# The approvers who answer, in turn: two Service Leads and the COR.
APPROVERS = ("Pat Lee <pat.lee@cms.example.gov>", "Sam Ortiz <sam.ortiz@cms.example.gov>",
             "Dana Smith <dana.smith@cms.example.gov>")
# The approval request as the daemon words it (templates/lead/approval_request.txt.j2):
# its "Approve" and "Deny" lines are quoted under every reply, so a reader that looked
# past the new words would find both.
REQUEST = """Hello,

As a Service Lead for Jira, please decide on onboarding
request ONB-2026-0042.

  Organization:          Acme Health Solutions
  Service:               Jira
  Estimated users:       40
  Requested by:          Jane Doe <jane.doe@acmehealth.example.com>
  COR approval:          forwarded (Dana Smith dana.smith@cms.example.gov)

  Business justification:
    Track defects and releases for the quality reporting system.

Please reply to this mail with your decision on the first line:

  Approve   (a note may follow on the next line)
  Deny      followed by the reason, which the requester will see

Your decision applies to Jira only.

CCSQ Onboarding Services"""
# Layouts this module adds to evaluation/mailforms.py's: Outlook's older separator,
# Outlook on a phone, and Outlook desktop sending Windows-1252 quoted-printable.
OWN_CLIENTS = ("outlook-original", "outlook-android", "outlook-cp1252")


@dataclass(frozen=True)
class Entry:
    file: str
    client: str
    expect: str
    words: str | None
    reason: str | None
    quoted: str


def entries(path: Path = EXPECTED) -> list[Entry]:
    listed = tomllib.loads(path.read_text(encoding="utf-8"))["reply"]
    return [Entry(e["file"], e["client"], e["expect"], e.get("words"), e.get("reason"),
                  e.get("quoted", REQUEST)) for e in listed]


def mail_bytes(entry: Entry, number: int, approvers: tuple[str, ...] = APPROVERS) -> bytes:
    """The reply of `entry` as its client sends it; `number` picks the approver."""
    if entry.words is None:
        raise ValueError(f"{entry.file} is a captured mail, not written from words")
    sender = approvers[number % len(approvers)]
    if entry.client in CLIENTS:
        raw = reply_bytes(sender, SUBJECT, entry.words, entry.quoted, entry.client)
        return _fixed_boundary(raw, entry.file)
    if entry.client in OWN_CLIENTS:
        return _outlook_variant(sender, entry)
    raise ValueError(f"{entry.file}: unknown client {entry.client!r}")


def _fixed_boundary(raw: bytes, name: str) -> bytes:
    """`raw` with a multipart boundary drawn from the file's name, not at random, so the
    same entry always writes the same bytes."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not message.is_multipart():
        return raw
    message.set_boundary("==" + hashlib.sha256(name.encode()).hexdigest()[:24] + "==")
    return message.as_bytes()


def _outlook_variant(sender: str, entry: Entry) -> bytes:
    words = entry.words or ""
    if entry.client == "outlook-original":
        body = (f"{words}\n\n-----Original Message-----\nFrom: {OURS}\n"
                "Sent: Tuesday, March 3, 2026 9:14 AM\nTo: " + sender + "\n"
                f"Subject: [ONB-2026-0042] Approval needed\n\n{entry.quoted}\n")
    elif entry.client == "outlook-android":
        body = (f"{words}\n\nGet Outlook for Android\n"
                "________________________________\n"
                f"From: {OURS}\nSent: Tuesday, March 3, 2026 9:14:02 AM\nTo: {sender}\n"
                f"Subject: [ONB-2026-0042] Approval needed\n\n{entry.quoted}\n")
    else:
        body = (f"{words}\n\n________________________________\nFrom: {OURS}\n"
                "Sent: Tuesday, March 3, 2026 9:14 AM\nTo: " + sender + "\n"
                f"Subject: [ONB-2026-0042] Approval needed\n\n{entry.quoted}\n")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = OURS
    message["Subject"] = SUBJECT
    message["Date"] = format_datetime(WHEN)
    digest = hashlib.sha256(f"{sender}|{words}|{entry.client}".encode()).hexdigest()[:16]
    message["Message-ID"] = f"<{digest}@client.example>"
    if entry.client == "outlook-cp1252":
        message.set_content(body, charset="windows-1252", cte="quoted-printable")
    else:
        message.set_content(body)
    return bytes(message)


def main(folder: Path = FOLDER, expected: Path = EXPECTED,
         approvers: tuple[str, ...] = APPROVERS) -> None:
    """Write every entry of `expected` that has words into `folder`, and delete the mail
    files there that `expected` no longer lists."""
    listed = entries(expected)
    names = [e.file for e in listed]
    if len(set(names)) != len(names):
        raise SystemExit(f"{expected}: a file is listed twice")
    folder.mkdir(exist_ok=True)
    for number, entry in enumerate(listed):
        if entry.words is not None:
            (folder / entry.file).write_bytes(mail_bytes(entry, number, approvers))
    for stale in set(p.name for p in folder.glob("*.eml")) - set(names):
        (folder / stale).unlink()


if __name__ == "__main__":
    main()
