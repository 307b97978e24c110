"""One spelling for the characters that clients vary: quotes, apostrophes, dashes, spaces.

Outlook and phones type "can’t" with U+2019, some keyboards send fullwidth forms, and
webmail pads with non-breaking or zero-width spaces. A word rule written for "can't"
must see "can't" whatever the client typed, so every reader normalises first.
"""

from __future__ import annotations

import unicodedata

_PLAIN = str.maketrans({
    # apostrophes and single quotes
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u02bc": "'", "\u02b9": "'", "\u00b4": "'", "`": "'",
    # double quotes
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    # dashes and minus
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-",
    # spaces that are not a plain space, and characters that are not there at all
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " ",
    "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
    "\u00ad": None,
})


def plain_text(text: str) -> str:
    """`text` with compatibility forms folded (NFKC) and quotes, dashes, spaces made ASCII.

    Line breaks are kept: readers that work line by line still can. The table is
    applied before NFKC too, because NFKC would split an acute accent typed as an
    apostrophe into a space and a combining mark, and a zero-width space left in
    place would keep NFKC from composing the letters on either side of it.
    """
    return unicodedata.normalize("NFKC", text.translate(_PLAIN)).translate(_PLAIN)
