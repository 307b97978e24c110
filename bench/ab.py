"""Two versions of onboardd draining the same mails, in turn, on one loaded Dovecot.

A single bench run cannot tell a 5% change from this VM's drift (the raw pass alone
moves 10-20% between runs an hour apart). Here the mails are APPENDed once; each
round drains them with version A and with version B (in alternating order), with a
fresh database each time, and moves them back to INBOX between drains. What differs
between the two drains of a round is the code, not the hour.

    .venv/bin/python -m bench.ab --a HEAD~1 --b worktree --mails 2000 --rounds 3

A version is a git revision (exported with `git archive`) or `worktree` (this
checkout as it is, uncommitted edits included). Each drain runs with PYTHONPATH on
the version's source root, whose `onboardd/` links to its source folders (a revision
from before those links gets a directory of such links of its own). The bench's own
code (mail generation, Dovecot, aiosmtpd) is this checkout's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from imapclient import ANSWERED, FLAGGED, SEEN

from bench.run import REPO, _rmtree, _say, append_all, drain, generate
from tests.integration.conftest import imap_config, volume_budget
from tests.integration.dovecot import Dovecot, create, remove
from tests.integration.smtp import SmtpServer

# The source folders that make up the onboardd package.
SUBPACKAGES = ("daemon", "parsers", "responders", "store", "templates")
DRAINED_TO = ("Processed", "Quarantine")


@dataclass
class Version:
    name: str
    pythonpath: Path
    source: Path  # the version's checkout, for its own config.example.toml
    seconds: list[float] = field(default_factory=list)
    daemon_cpu: list[float] = field(default_factory=list)
    worker_cpu: list[float] = field(default_factory=list)
    replies: set[int] = field(default_factory=set)


def prepare(name: str, label: str, scratch: Path) -> Version:
    """A directory to put on PYTHONPATH so that `import onboardd` is version `name`."""
    if name == "worktree":
        source = REPO
    else:
        source = scratch / f"source-{label}"
        source.mkdir()
        archive = subprocess.run(["git", "archive", name], cwd=REPO, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    # onboardd/ holds a link to each source folder, so the source root is the path; a
    # revision from before those links gets them in a directory of its own.
    if all((source / "onboardd" / sub).exists() for sub in SUBPACKAGES):
        return Version(name, source, source)
    path = scratch / f"path-{label}"
    package = path / "onboardd"
    package.mkdir(parents=True)
    for item in (source / "onboardd").iterdir():
        (package / item.name).symlink_to(item)
    for sub in SUBPACKAGES:
        (package / sub).symlink_to(source / sub)
    return Version(name, path, source)


def put_back(dovecot: Dovecot) -> None:
    """Every drained mail back to INBOX, unflagged, as it was before the drain (the drain
    was checked to have left INBOX empty)."""
    client = dovecot.client()
    try:
        for folder in DRAINED_TO:
            if not client.folder_exists(folder):
                continue
            client.select_folder(folder)
            uids = client.search(["ALL"])
            if uids:
                client.remove_flags(uids, [SEEN, ANSWERED, FLAGGED])
                client.move(uids, "INBOX")
    finally:
        client.logout()


def drain_once(version: Version, dovecot: Dovecot, smtp: SmtpServer, count: int,
               scratch: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="drain-", dir=scratch))
    config = imap_config(work, dovecot, smtp)
    # The settings below the mailbox and transport as this version knows them: a newer
    # example's keys would be refused by an older version.
    own = volume_budget((version.source / "config.example.toml").read_text())
    text = config.read_text()
    config.write_text(text[: text.index("[cor]")] + own[own.index("[cor]"):])
    smtp.collector.received.clear()
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(version.pythonpath)
    try:
        assert dovecot.process is not None
        drained = drain(config, None, dovecot.process.pid)
    finally:
        if previous is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = previous
    done = sum(len(dovecot.uids(folder)) for folder in DRAINED_TO)
    if drained["exit_code"] != 0 or done != count:
        _say((work / "drain.log").read_text(errors="replace")[-3000:])
        raise RuntimeError(f"{version.name}: the drain did not finish ({done}/{count})")
    cpu: dict[str, float] = drained["cpu"]  # type: ignore[assignment]
    version.seconds.append(float(drained["seconds"]))  # type: ignore[arg-type]
    version.daemon_cpu.append(cpu["daemon"])
    version.worker_cpu.append(cpu["parse_worker"])
    version.replies.add(len(smtp.collector.received))
    _rmtree(work)
    put_back(dovecot)


def report(a: Version, b: Version) -> str:
    lines = [f"{'':>10} {'drains (s)':<40} {'mean':>7} {'daemon CPU':>11} {'worker CPU':>11}"]
    for v in (a, b):
        lines.append(
            f"{'A' if v is a else 'B':>10} {' '.join(f'{s:.1f}' for s in v.seconds):<40} "
            f"{statistics.mean(v.seconds):7.2f} {statistics.mean(v.daemon_cpu):11.2f} "
            f"{statistics.mean(v.worker_cpu):11.2f}")
    # Paired by round: both drains of a round ran within minutes of each other.
    changes = [(y - x) / x for x, y in zip(a.seconds, b.seconds, strict=True)]
    lines.append(f"B against A, per round: {' '.join(f'{c:+.1%}' for c in changes)}; "
                 f"mean {statistics.mean(changes):+.1%}")
    lines.append(f"A = {a.name}, B = {b.name}; replies A {sorted(a.replies)} B {sorted(b.replies)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--a", default="HEAD", help="git revision or 'worktree' (default HEAD)")
    parser.add_argument("--b", default="worktree", help="git revision or 'worktree'")
    parser.add_argument("--mails", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="write the drain times here")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="onboardd-ab-"))
    dovecot = create()
    dovecot.start()
    smtp = SmtpServer()
    smtp.start()
    try:
        a, b = prepare(args.a, "a", scratch), prepare(args.b, "b", scratch)
        _say(f"APPENDing {args.mails} mails ...")
        append_all(dovecot, generate(args.mails, args.seed))
        for round_ in range(args.rounds):
            for version in (a, b) if round_ % 2 == 0 else (b, a):
                started = time.perf_counter()
                drain_once(version, dovecot, smtp, args.mails, scratch)
                _say(f"  round {round_ + 1}: {version.name} {time.perf_counter() - started:.1f} s")
        if len(a.replies | b.replies) != 1:
            _say("note: the two versions sent different numbers of replies")
        print(report(a, b))
        if args.json:
            args.json.write_text(json.dumps(
                {v.name: {"seconds": v.seconds, "daemon_cpu": v.daemon_cpu,
                          "worker_cpu": v.worker_cpu} for v in (a, b)}, indent=2) + "\n")
        return 0
    finally:
        smtp.stop()
        remove(dovecot)
        _rmtree(scratch)


if __name__ == "__main__":
    sys.exit(main())
