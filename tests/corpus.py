"""The shared corpus' INDEX.tsv, and which of its files must never get an answer."""

from __future__ import annotations

import csv

from tests.conftest import CORPUS

NO_REPLY_CATEGORIES = frozenset({"bounce", "auto-reply", "list"})
BOUNCE_FOLDERS = ("sisimai/bsd/", "sisimai/dos/", "sisimai/mac/", "sisimai/err/")
# People forwarding a bounce, with a person in From: (corpus README).
HUMAN_FORWARDS = frozenset({"sisimai/bsd/lhost-sendmail-14.eml", "sisimai/err/make-test-36.eml"})


def rows() -> list[dict[str, str]]:
    with (CORPUS / "INDEX.tsv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def expects_no_reply(row: dict[str, str]) -> bool:
    path = row["path"]
    if path in HUMAN_FORWARDS:
        return False
    return row["category"] in NO_REPLY_CATEGORIES or path.startswith(BOUNCE_FOLDERS)
