"""Every mail of the shared corpus APPENDed to a real Dovecot and drained by `run --once`."""

from __future__ import annotations

import email
import sqlite3
from email import policy
from pathlib import Path

import pytest

from onboardd.daemon.cli import main
from onboardd.daemon.keys import message_key
from tests.conftest import CORPUS, require
from tests.corpus import expects_no_reply, rows
from tests.integration.conftest import imap_config
from tests.integration.dovecot import Dovecot
from tests.integration.smtp import SmtpServer


@pytest.mark.slow
def test_whole_corpus_through_imap(tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer) -> None:
    require((CORPUS / "INDEX.tsv").exists(), f"the shared corpus at {CORPUS}")
    index = rows()
    client = dovecot.client()
    for row in index:
        client.append("INBOX", (CORPUS / row["path"]).read_bytes())
    client.logout()
    config = imap_config(tmp_path, dovecot, smtp)
    assert main(["--config", str(config), "run", "--once"]) == 0

    assert dovecot.uids("INBOX") == []  # nothing left behind
    finished = len(dovecot.uids("Processed")) + len(dovecot.uids("Quarantine"))
    assert finished == len(index)
    database = sqlite3.connect(tmp_path / "var" / "onboardd.db")
    keys = {key for (key,) in database.execute("select message_key from inbound_messages")}
    machines = {
        message_key((CORPUS / r["path"]).read_bytes()) for r in index if expects_no_reply(r)
    }
    humans = {
        message_key((CORPUS / r["path"]).read_bytes()) for r in index if not expects_no_reply(r)
    }
    # Dovecot may store a file slightly rewritten (line ends), so compare how many.
    assert len(keys) == len(machines | humans)
    replied_to: set[str] = set()
    for (raw,) in database.execute("select raw from outbox"):
        sent = email.message_from_bytes(raw, policy=policy.compat32)
        replied_to.update(str(sent.get("In-Reply-To", "")).strip("<> ").split())
    machine_rows = [
        (message_id, request_id)
        for key, message_id, request_id in database.execute(
            "select message_key, message_id, request_id from inbound_messages"
        )
        if key in machines - humans
    ]
    assert [m for m, r in machine_rows if r is not None or (m and m in replied_to)] == []
    assert database.execute(
        "select count(*) from inbound_messages where reason = 'unrecognized'"
    ).fetchone() == (0,)
