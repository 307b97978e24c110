"""One spelling for what clients vary: apostrophes, quotes, dashes, spaces, fullwidth forms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onboardd.parsers.wording import plain_text


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("can\u2019t", "can't"),  # Outlook and phones
        ("can\u2018t", "can't"),
        ("can\u02bct", "can't"),  # the modifier letter some keyboards send
        ("can\u2032t", "can't"),
        ("can\u00b4t", "can't"),
        ("can`t", "can't"),
        ("\u201cApproved\u201d", '"Approved"'),
        ("\u201eApproved\u201c", '"Approved"'),
        ("\u00abApproved\u00bb", '"Approved"'),
        ("Approved \u2013 NOT", "Approved - NOT"),
        ("Approved \u2014 NOT", "Approved - NOT"),
        ("Approved \u2212 NOT", "Approved - NOT"),
        ("Not\u00a0approved", "Not approved"),
        ("Not\u202fapproved", "Not approved"),
        ("Not\u3000approved", "Not approved"),
        ("can\u200b't", "can't"),
        ("\ufeffApproved", "Approved"),
        ("ap\u00adproved", "approved"),
        ("Jose\u200b\u0301", "Jos\u00e9"),
        ("\uff21\uff50\uff50\uff52\uff4f\uff56\uff45\uff44\uff01", "Approved!"),
        ("\uff2e\uff4f\uff54\u3000\uff41\uff50\uff50\uff52\uff4f\uff56\uff45\uff44",
         "Not approved"),
    ],
)
def test_client_spellings_become_one(typed: str, read: str) -> None:
    assert plain_text(typed) == read


def test_lines_and_plain_text_are_kept() -> None:
    text = "Denied.\n\nThey need training first; see ONB-2026-0042 (40 users).\r\n"
    assert plain_text(text) == text


def test_letters_of_other_languages_are_kept() -> None:
    assert plain_text("Jos\u00e9 Mu\u00f1oz d\u2019Arcy") == "Jos\u00e9 Mu\u00f1oz d'Arcy"


ODD = ("\u2018\u2019\u201a\u201b\u2032\u02bc\u02b9\u00b4`\u201c\u201d\u201e\u201f\u2033"
       "\u00ab\u00bb\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00a0\u2007\u202f\u3000"
       "\u200b\u200c\u200d\u2060\ufeff\u00ad")


@given(st.text(alphabet=st.sampled_from(ODD) | st.characters(), max_size=40))
def test_the_result_holds_none_of_the_odd_characters_and_is_stable(text: str) -> None:
    once = plain_text(text)
    assert not set(once) & set(ODD)
    assert plain_text(once) == once
