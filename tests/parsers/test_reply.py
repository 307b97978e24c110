"""trim_reply: the new words of a reply, on the corpus' talon replies and hand cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from onboardd.parsers.message import parse_message
from onboardd.parsers.reply import trim_reply
from tests.conftest import CORPUS, require

TALON = CORPUS / "talon" / "standard_replies"
TALON_NAMES = [
    "android",
    "aol",
    "apple_mail",
    "apple_mail_2",
    "comcast",
    "gmail",
    "hotmail",
    "iphone",
    "outlook",
    "sparrow",
    "thunderbird",
    "yahoo",
]


@pytest.mark.parametrize("name", TALON_NAMES)
def test_talon_standard_replies_trim_to_hello(name: str) -> None:
    path = TALON / f"{name}.eml"
    require(path.exists(), f"corpus file {path}")
    assert parse_message(path.read_bytes()).reply_text == "Hello"


def test_talon_reply_sharing_a_block_with_its_quote() -> None:
    path = CORPUS / "talon" / "reply-quotations-share-block.eml"
    require(path.exists(), f"corpus file {path}")
    reply = parse_message(Path(path).read_bytes()).reply_text
    assert reply.startswith("Hi Katharine.")
    assert reply.endswith("Joe XXX")
    assert "booking inquiry" not in reply and "wrote:" not in reply


@pytest.mark.parametrize(
    "attribution",
    [
        "On Mon, 3 Nov 2026 at 10:00, Dana Smith <dana@x.gov> wrote:",
        "On Mon, 3 Nov 2026 at 10:00, Dana Smith <dana@x.gov>\nwrote:",
        "On Nov 3, 2026, at 10:00 AM, Dana Smith\n<dana@x.gov> wrote:",
        "Am 03.11.2026 um 10:00 schrieb Dana Smith <dana@x.gov>:",
        "Am Mo., 3. Nov. 2026 um 10:00 Uhr schrieb Dana Smith <\ndana@x.gov>:",
        "Le lun. 3 nov. 2026 à 10:00, Dana Smith <dana@x.gov> a écrit :",
        "El lun, 3 nov 2026 a las 10:00, Dana Smith (<dana@x.gov>) escribió:",
        "Op ma 3 nov. 2026 om 10:00 schreef Dana Smith <dana@x.gov>:",
        "Il giorno lun 3 nov 2026 alle ore 10:00 Dana <dana@x.gov> ha scritto:",
        "03.11.2026 10:00 пользователь Dana <dana@x.gov> написал:",
        "--- On Mon, 11/3/26, dana@x.gov <dana@x.gov> wrote:",
    ],
)
def test_attributions_in_several_languages(attribution: str) -> None:
    text = f"Users: 30\n\n{attribution}\n\n> Users: 500\n> Organization: Old Corp\n"
    assert trim_reply(text) == "Users: 30"


@pytest.mark.parametrize(
    "block",
    [
        "-----Original Message-----\nFrom: Dana\nSent: Monday\nTo: Jane\nSubject: x\n",
        "----- Original Message -----\nFrom: dana@x.gov\n",
        "________________________________\nFrom: Dana Smith <dana@x.gov>\n"
        "Sent: Monday, November 2, 2026 9:00 AM\nTo: Jane\nSubject: RE: x\n",
        "From: Dana Smith [mailto:dana@x.gov]\nSent: Monday\nTo: Jane\nCc: Bob\nSubject: RE: x\n",
        "Von: Dana Smith <dana@x.gov>\nGesendet: Montag, 2. November 2026 09:00\nAn: Jane\n"
        "Betreff: AW: x\n",
        "De : Dana Smith <dana@x.gov>\nEnvoyé : lundi 2 novembre 2026 09:00\nÀ : Jane\n",
        "---------- Forwarded message ---------\nFrom: Dana <dana@x.gov>\n",
        "Begin forwarded message:\n\nFrom: Dana <dana@x.gov>\n",
    ],
)
def test_outlook_blocks_and_forward_markers_end_the_reply(block: str) -> None:
    text = f"Approved, go ahead.\n\n{block}\nOrganization: Old Corp\nUsers: 500\n"
    assert trim_reply(text) == "Approved, go ahead."


@pytest.mark.parametrize(
    "footer",
    [
        "-- \nDana Smith\nCOR",
        "--\nDana",
        "Sent from my iPhone",
        "Sent from my Galaxy",
        "Get Outlook for iOS",
        "Von meinem iPhone gesendet",
        "Envoyé de mon iPad",
        "Enviado desde mi iPhone",
    ],
)
def test_signatures_and_phone_footers_are_dropped(footer: str) -> None:
    assert trim_reply(f"Approve\n\n{footer}\n") == "Approve"


def test_quoted_lines_are_dropped_and_inline_answers_kept_at_the_top() -> None:
    text = "Organization: New Co\n> Organization: Old Co\n> Users: 500\n"
    assert trim_reply(text) == "Organization: New Co"


def test_bottom_posted_answer_is_the_reply() -> None:
    text = "On Mon, 2 Nov 2026, Onboarding wrote:\n> Users?\n> Org?\n\nUsers: 40\n"
    assert trim_reply(text) == "Users: 40"


def test_an_outlook_header_block_below_leaves_nothing_from_it() -> None:
    text = "From: Dana\nSent: Monday\nTo: Jane\nSubject: x\n\nUsers: 500\n"
    assert trim_reply(text) == ""


def test_request_lines_that_look_like_headers_are_kept() -> None:
    text = (
        "To: whom it may concern\nSubject: Jira access\n\nOrganization: Acme\n"
        "Services: Jira\n\n-Jane\n"
    )
    assert "Organization: Acme" in trim_reply(text)
    assert trim_reply(text).startswith("To: whom it may concern")


def test_windows_and_old_mac_line_ends() -> None:
    assert trim_reply("Yes\r\n\r\nOn Mon, Dana <d@x.gov> wrote:\r\n> no\r\n") == "Yes"
    assert trim_reply("Yes\r\rOn Mon, Dana <d@x.gov> wrote:\r> no\r") == "Yes"


def test_greeting_above_the_quote_and_the_answer_below_it() -> None:
    text = (
        "Hi Dana,\n\nOn Mon, 2 Nov 2026 at 09:00, Jane <jane@x.example.com> wrote:\n"
        "> Could you approve?\n\nApproved.\n\n> Users: 500\nThe count is 40.\n"
    )
    assert trim_reply(text) == "Hi Dana,\n\nApproved.\n\nThe count is 40."


def test_a_quoted_attribution_inside_the_quote_does_not_hide_the_answer() -> None:
    text = (
        "On Tue, 17 Nov 2009 18:04:31 -0800, Keith <k@x.example.org> wrote:\n"
        "> On Tue, 17 Nov 2009 18:21:38 -0500, Aron <a@x.example.org> wrote:\n"
        "> > question\n> answer one\n\nFixed it.\n"
    )
    assert trim_reply(text) == "Fixed it."


def test_nothing_below_an_outlook_block_counts_even_after_a_greeting() -> None:
    text = "Hello,\n\nFrom: Dana\nSent: Monday\nTo: Jane\nSubject: x\n\nUsers: 500\n"
    assert trim_reply(text) == "Hello,"


def test_sentences_starting_with_sent_are_not_footers() -> None:
    text = "Sent my COR the form yesterday.\nSent from the portal: Jira\nUsers: 4\n"
    assert trim_reply(text) == text.strip()
