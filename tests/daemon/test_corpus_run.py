"""Every mail of the shared corpus through `run --once`: nothing crashes, nothing is lost,
and no machine-written mail gets an answer."""

from __future__ import annotations

import email
from email import policy

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from onboardd.daemon.keys import message_key
from onboardd.store.models import InboundMessage, OutboxMessage
from tests.conftest import CORPUS, require
from tests.corpus import expects_no_reply, rows
from tests.daemon.harness import Daemon


@pytest.mark.slow
def test_whole_corpus_through_run_once(daemon: Daemon) -> None:
    require((CORPUS / "INDEX.tsv").exists(), f"the shared corpus at {CORPUS}")
    index = rows()
    delivered = {daemon.maildir.deliver_file(CORPUS / row["path"]).name: row for row in index}
    daemon.run_once()

    assert daemon.maildir.new() == []  # every file was finished: processed or quarantined
    engine = create_engine(daemon.store_url)
    with Session(engine) as session:
        inbound = session.scalars(select(InboundMessage)).all()
        answered = set()
        for raw in session.scalars(select(OutboxMessage.raw)):
            sent = email.message_from_bytes(raw, policy=policy.compat32)
            answered.update(str(sent.get("In-Reply-To", "")).strip("<> ").split())
    engine.dispose()
    by_name = {row.source_name: row for row in inbound}
    # Byte-identical files in the corpus are one message (delivered twice): all but one
    # of each such group leave no row of their own, which is the point of the key.
    assert len({r.message_key for r in inbound}) == len(inbound)
    unrecorded = [n for n in delivered if n not in by_name]
    assert len(unrecorded) == len(delivered) - len(inbound)
    quarantined = [r for r in inbound if r.status == "quarantined"]
    assert all(r.reason for r in quarantined)
    # Quarantine is for mail we cannot read; a mail we read must never break the workflow.
    assert [r.error for r in quarantined if r.reason == "unrecognized"] == []
    assert len(daemon.maildir.quarantined()) == len(quarantined)

    answered_machines = []
    for name, row in delivered.items():
        record = by_name.get(name)
        if record is None or not expects_no_reply(row):
            continue
        if record.request_id is not None or (record.message_id and record.message_id in answered):
            answered_machines.append(row["path"])
    assert answered_machines == []
    # One row per distinct mail: CRLF copies of the same mail (sisimai/dos) are one.
    distinct = {message_key((CORPUS / row["path"]).read_bytes()) for row in index}
    assert {r.message_key for r in inbound} == distinct
