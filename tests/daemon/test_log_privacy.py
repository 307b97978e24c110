"""A full scenario logged at INFO leaks no address, body text, justification or token."""

from __future__ import annotations

import logging

import pytest

from tests.daemon.harness import Daemon
from tests.mailkit import compose, reply_to

SECRET_JUSTIFICATION = "Quarterly reconciliation of sensitive claims ledgers"
BODY_WORDS = "please hurry, the auditors arrive on Tuesday"


def test_info_logs_carry_references_and_keys_only(
    daemon: Daemon, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    daemon.maildir.deliver(
        compose(
            "Jane Doe <jane.doe@acmehealth.example.com>",
            f"{BODY_WORDS}\n\nOrganization: Acme Health Solutions\nServices: Jira\n"
            f"Justification: {SECRET_JUSTIFICATION}\nUsers: 25\n"
            "COR approval: approved by Dana Smith <dana.smith@cms.example.gov>\n",
        )
    )
    daemon.run_once()
    confirmation = next(s for s in daemon.sent() if s.kind == "cor-confirmation")
    daemon.maildir.deliver(reply_to(confirmation, "dana.smith@cms.example.gov", "Approve"))
    daemon.run_once()
    ask = next(s for s in daemon.sent() if s.kind == "approval-request")
    token = str(ask.message["Reply-To"]).split("+", 1)[1].split("@", 1)[0]
    daemon.maildir.deliver(reply_to(ask, "jira.lead@cms.example.gov", "Approved."))
    daemon.run_once()
    assert daemon.request()["state"] == "approved"

    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert "ONB-" in logged  # references are there...
    for secret in (SECRET_JUSTIFICATION, BODY_WORDS, token, "Acme Health", "@"):
        assert secret not in logged, secret  # ...but no addresses, bodies or tokens
