"""The held-out probes: mail the reader was not written beside.

The main set (`requests/`, `replies/`) grew with the reader, a case added for each
wording fixed, so its figures overstate how the reader does on mail it has never seen.
Each probe was written and labelled in one go by a helper session that had not seen the
reader's rules, from the published page's wording and the roles alone: request mails
(published labels, rewordings, prose, forwards, HTML, hard cases) and replies that Pat
Lee, the Jira Service Lead, types above the quoted approval request.

- `probe/` (session 13): 150 requests, 220 replies. The reader was then fixed against
  it, so its figures now overstate the reader in turn.
- `probe2/` (session 13, written after those fixes, by a session that had seen neither
  the reader nor `probe/`): 90 requests, 150 replies; only the session's last
  justification rules were taken from its misses.

They are scored by the same code as the main set. Labels are kept as written, so a
later fix shows as a gain on mail nobody tuned it on until then; mails added to fix a
reading go in the main set, never here. The one figure a test pins here is the
product's hard line: no reply read as an approval that is not one.

    python -m evaluation.probe          # their figures alone (python -m evaluation: all)
    python -m evaluation.probe write    # rewrite each probe's replies/ from its list
"""

from __future__ import annotations

import sys
from pathlib import Path

from evaluation import decisions, make_replies, requests

HERE = Path(__file__).parent
PROBES = (HERE / "probe", HERE / "probe2")
# Every probe reply comes from the lead the helpers wrote them as.
APPROVER = ("Pat Lee <pat.lee@cms.example.gov>",)


def replies(probe: Path) -> Path:
    return probe / "replies"


def write_replies() -> None:
    for probe in PROBES:
        folder = replies(probe)
        make_replies.main(folder, folder / make_replies.EXPECTED.name, APPROVER)


def report() -> str:
    parts = ["Held-out probes (evaluation/probe.py: written without sight of the reader)"]
    for probe in PROBES:
        parts += [requests.report(probe / "requests"), decisions.report(folder=replies(probe))]
    return "\n\n".join(parts)


if __name__ == "__main__":
    if sys.argv[1:] == ["write"]:
        write_replies()
    else:
        print(report())
