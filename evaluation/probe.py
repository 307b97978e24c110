"""The held-out probe: mail the reader was not written beside.

The main set (`requests/`, `replies/`) grew with the reader, a case added for each
wording fixed, so its figures overstate how the reader does on mail it has never seen.
`probe/` was written and labelled in one go by a helper session that had not seen the
reader's rules, from the published page's wording and the roles alone: 150 request mails
(published labels, rewordings, prose, forwards, HTML, hard cases) and 220 replies that
Pat Lee, the Jira Service Lead, types above the quoted approval request.

It is scored by the same code as the main set. Its labels are kept as written, so a
later fix to the reader shows here as a gain on mail nobody tuned it on until then;
mails added to fix a reading go in the main set, never here. The one figure a test
pins here is the product's hard line: no reply read as an approval that is not one.

    python -m evaluation.probe          # its figures alone (python -m evaluation: both sets)
    python -m evaluation.probe write    # rewrite probe/replies/ from its list
"""

from __future__ import annotations

import sys
from pathlib import Path

from evaluation import decisions, make_replies, requests

FOLDER = Path(__file__).with_name("probe")
REQUESTS = FOLDER / "requests"
REPLIES = FOLDER / "replies"
# Every probe reply comes from the lead the helper wrote them as.
APPROVER = ("Pat Lee <pat.lee@cms.example.gov>",)


def write_replies() -> None:
    make_replies.main(REPLIES, REPLIES / make_replies.EXPECTED.name, APPROVER)


def report() -> str:
    return "\n\n".join([
        "Held-out probe (evaluation/probe.py: written without sight of the reader)",
        requests.report(REQUESTS),
        decisions.report(folder=REPLIES),
    ])


if __name__ == "__main__":
    if sys.argv[1:] == ["write"]:
        write_replies()
    else:
        print(report())
