"""detect_auto through parse_message: one byte-literal mail per rule, and human mail."""

from __future__ import annotations

import pytest

from onboardd.parsers.autogen import detect_auto
from onboardd.parsers.message import parse_message
from onboardd.parsers.model import Address

HUMAN = (
    b"From: Jane Doe <jane.doe@acmehealth.example.com>\n"
    b"To: onboarding@onboard.example.gov\n"
    b"Subject: Access request for Jira\n"
)
BODY = b"\nOrganization: Acme\n"

REPORT = (
    b"From: Mail Delivery System <mailer-daemon@mx.example.net>\n"
    b"Subject: Undelivered Mail Returned to Sender\n"
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
    b"--r\nContent-Type: text/plain\n\nfailed\n"
    b"--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
    b"Final-Recipient: rfc822; x@y.example\nAction: failed\n--r--\n"
)


def _with(
    *lines: bytes,
    sender: bytes | None = None,
    subject: bytes | None = None,
    ctype: bytes | None = None,
) -> bytes:
    head = HUMAN
    if sender is not None:
        head = head.replace(b"Jane Doe <jane.doe@acmehealth.example.com>", sender)
    if subject is not None:
        head = head.replace(b"Access request for Jira", subject)
    extra = b"".join(line + b"\n" for line in lines)
    if ctype is not None:
        return head + extra + ctype
    return head + extra + BODY


def _part(ctype: bytes) -> bytes:
    return (
        b"Content-Type: multipart/mixed; boundary=p\n\n--p\nContent-Type: text/plain\n\n"
        b"see part\n--p\nContent-Type: " + ctype + b"\n\nReporting-UA: x\n--p--\n"
    )


RULES = [
    ("auto-submitted", _with(b"Auto-Submitted: auto-replied")),
    ("auto-submitted generated", _with(b"Auto-Submitted: auto-generated; owner-email=x@y")),
    ("precedence bulk", _with(b"Precedence: bulk")),
    ("precedence list", _with(b"Precedence: list")),
    ("precedence junk", _with(b"Precedence: junk")),
    ("precedence auto_reply", _with(b"Precedence: auto_reply")),
    ("list-id", _with(b"List-Id: Announcements <announce.lists.example.org>")),
    ("list-unsubscribe", _with(b"List-Unsubscribe: <mailto:leave@lists.example.org>")),
    ("list-post", _with(b"List-Post: <mailto:dev@lists.example.org>")),
    ("x-beenthere", _with(b"X-BeenThere: dev@lists.example.org")),
    ("x-mailman-version", _with(b"X-Mailman-Version: 2.1.39")),
    ("x-autoreply", _with(b"X-Autoreply: yes")),
    ("x-autorespond", _with(b"X-Autorespond: Out of office")),
    ("x-autoresponder", _with(b"X-Autoresponder: 1")),
    ("multipart/report", REPORT),
    ("delivery-status part", _with(ctype=_part(b"message/delivery-status"))),
    ("feedback-report part", _with(ctype=_part(b"message/feedback-report"))),
    ("read receipt", _with(ctype=_part(b"message/disposition-notification"))),
    ("null return-path", _with(b"Return-Path: <>")),
    ("mailer-daemon", _with(sender=b"MAILER-DAEMON@mx.example.net")),
    ("postmaster", _with(sender=b"Postmaster <postmaster@example.net>")),
    ("noreply", _with(sender=b"Portal <noreply@portal.example.com>")),
    ("no-reply", _with(sender=b"no-reply@sns.example.com")),
    ("donotreply", _with(sender=b"DoNotReply@billing.example.com")),
    ("do-not-reply", _with(sender=b"do-not-reply@hr.example.com")),
    ("list owner sender", _with(sender=b"dev-owner@lists.example.org")),
    ("list bounces sender", _with(b"Sender: dev-bounces@lists.example.org")),
    ("x-loop", _with(b"X-Loop: onboarding@onboard.example.gov")),
    ("x-no-loop", _with(b"X-No-Loop: yes")),
    ("x-fc-machinegenerated", _with(b"X-FC-MachineGenerated: true")),
    ("delivered-to autoresponder", _with(b"Delivered-To: Autoresponder")),
    ("feedback-type", _with(b"Feedback-Type: abuse")),
    ("x-failed-recipients", _with(b"X-Failed-Recipients: x@y.example")),
    ("our own notice", _with(b"X-Onboarding-Notice: missing-fields")),
    ("bounce subject", _with(subject=b"Undeliverable: Access request")),
]
SUBJECTS = [
    "Auto reply: Access request",
    "Automatic reply: Access request",
    "Out of Office: Re: x",
    "Out of the office until Monday",
    "Autoreply: x",
    "AutoReply",
    "Auto-Reply: x",
    "Abwesenheitsnotiz: Zugang",
    "Automatische Antwort: Zugang",
    "Réponse automatique : x",
    "Absence : x",
    "Respuesta automática: x",
    "Fuera de la oficina: x",
    "Risposta automatica: x",
    "Automatisch antwoord: x",
    "Autosvar: x",
    "自動返信: x",
    "自動応答：お問い合わせ",
    "不在通知: x",
    "自动回复: x",
    "自動回覆：x",
    "[EXTERNAL] Automatic reply: x",
    "=?UTF-8?Q?AutoRespons?= :x",
]


@pytest.mark.parametrize(("rule", "raw"), RULES, ids=[r for r, _ in RULES])
def test_each_rule_marks_the_mail_generated(rule: str, raw: bytes) -> None:
    verdict = parse_message(raw).auto
    assert verdict.generated, rule
    assert verdict.reasons
    assert not verdict.may_answer


@pytest.mark.parametrize("subject", SUBJECTS)
def test_out_of_office_subjects(subject: str) -> None:
    assert parse_message(_with(subject=subject.encode())).auto.generated


@pytest.mark.parametrize(
    "subject",
    [
        "Access request for Jira",
        "Re: Out of office coverage plan",
        "Absence of Jira access",
        "Automatic replies are annoying, here is our request",
        "Fwd: Undeliverable: x",
        "Auto parts supplier onboarding",
        "Reply needed: COR approval",
    ],
)
def test_human_subjects_are_not_flagged(subject: str) -> None:
    assert not parse_message(_with(subject=subject.encode())).auto.generated


def test_x_auto_response_suppress_only_suppresses() -> None:
    for value in (b"All", b"OOF, AutoReply", b"DR, RN, NRN"):
        verdict = parse_message(_with(b"X-Auto-Response-Suppress: " + value)).auto
        assert verdict.suppress_reply and not verdict.generated
        assert not verdict.may_answer


def test_negative_values_do_not_count() -> None:
    raw = _with(
        b"Auto-Submitted: no",
        b"X-Autoreply: no",
        b"Precedence: normal",
        b"X-Auto-Response-Suppress: None",
        b"Return-Path: <jane@acmehealth.example.com>",
    )
    assert parse_message(raw).auto == parse_message(HUMAN + BODY).auto
    assert parse_message(raw).auto.may_answer


def test_human_forward_of_a_report_is_not_a_report() -> None:
    raw = (
        HUMAN.replace(b"Access request for Jira", b"Fwd: bounce")
        + b"Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: text/plain\n\n"
        b"Why did this bounce?\n--o\nContent-Type: message/rfc822\n\n" + REPORT + b"\n--o--\n"
    )
    mail = parse_message(raw)
    assert not mail.auto.generated
    daemon = Address("Mail Delivery System", "mailer-daemon@mx.example.net")
    assert mail.forwarded[0].sender == daemon


def test_detect_auto_directly() -> None:
    verdict = detect_auto((("auto-submitted", "auto-replied"),), None, "x", ("text/plain",))
    assert verdict.generated and verdict.reasons == ("auto-submitted: auto-replied",)
