"""The cost of the ingest transaction alone, per mail: no IMAP, no parse, no sending.

The benchmark's mails are generated and parsed first; then `ingest()` runs on each in
this process against a fresh SQLite store (the demo config), and the wall and CPU time
per mail are printed. The drain's main thread does this work for every mail, so it is
where a change to the workflow, rendering or store shows first, in seconds rather than
the minutes of bench.run. CPU time is the steadier figure on a shared VM; take the best
of a few runs.

    .venv/bin/python -m bench.ingest_only --mails 500 [--profile PATH]

On a VM whose speed drifts, count instructions instead of seconds: run it under
callgrind with and without the ingest (--no-ingest does all the rest: generating,
parsing, the store) and subtract the two totals; the same code gives the same count
to within 0.01%.

    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        .venv/bin/python -m bench.ingest_only --mails 100 [--no-ingest]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.run import REPO, generate
from onboardd.daemon.app import build
from onboardd.daemon.config import load_config
from onboardd.daemon.ingest import ingest
from onboardd.daemon.mailbox import FetchedMail
from onboardd.daemon.prepare import Prepared, Reading, prepare
from onboardd.daemon.runner import MOVE_BATCH
from onboardd.store.engine import checkpoint, make_durable
from tests.conftest import volume_budget

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mails", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=Path, help="run under cProfile, stats written here")
    parser.add_argument("--no-ingest", action="store_true",
                        help="everything but the ingest itself (a baseline for callgrind)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="onboardd-ingest-"))
    try:
        (work / "config.toml").write_text(
            volume_budget((REPO / "config.example.toml").read_text()))
        (work / "var").mkdir()  # the database's folder, as `onboardd init` makes it
        app = build(load_config(work / "config.toml"))
        policy = app.pipeline.policy
        # As the drain's parse worker prepares them: key, parse and request facts.
        reading = Reading(policy.catalog(), policy.cor_directory())
        mails: list[tuple[FetchedMail, Prepared]] = []
        for number, (_kind, raw) in enumerate(generate(args.mails, args.seed)):
            mail = FetchedMail(mailbox="onboarding", folder="INBOX", handle=f"bench-{number}",
                               raw=raw, uidvalidity=1, uid=number + 1)
            mails.append((mail, prepare(raw, policy.limits.max_message_bytes, reading)))
        sender = app.sender_for("onboarding")

        def run() -> None:
            # As the drain commits them: group commits, made durable and checkpointed a move
            # batch at a time.
            for number, (mail, prepared) in enumerate([] if args.no_ingest else mails, 1):
                ingest(
                    app.pipeline, mail, sender=sender, now=NOW, prepared=prepared, group_commit=True
                )
                if number % MOVE_BATCH == 0 or number == len(mails):
                    make_durable(app.engine)
                    checkpoint(app.engine)

        wall, cpu = time.perf_counter(), time.process_time()
        if args.profile:
            cProfile.runctx("run()", globals(), {"run": run}, str(args.profile))
        else:
            run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        app.engine.dispose()
        per = 1000 / args.mails
        print(f"{args.mails} mails: {wall * per:.2f} ms wall, {cpu * per:.2f} ms CPU a mail")
        if args.profile:
            pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(30)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
