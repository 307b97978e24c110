"""The `onboardd` command line: parse arguments, run a command, return its exit code."""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from onboardd.daemon import logs, periodic
from onboardd.daemon.app import App, build, load_renderer
from onboardd.daemon.apply import record_outcome
from onboardd.daemon.config import Config, ConfigError, load_config
from onboardd.daemon.digest import digest_mail
from onboardd.daemon.ingest import StoreUnavailable, ingest
from onboardd.daemon.mailbox import FetchedMail, MailboxError
from onboardd.daemon.malloc import fixed_mmap_threshold
from onboardd.daemon.outbox import drain
from onboardd.daemon.records import view_of
from onboardd.daemon.reports import (
    export_csv,
    export_json,
    outbox_table,
    quarantine_table,
    request_detail,
    request_table,
)
from onboardd.daemon.runner import run_once
from onboardd.daemon.serve import Service
from onboardd.parsers.decision import Verdict
from onboardd.responders.approvals import DecisionError, decide_manually
from onboardd.responders.render import TemplateError
from onboardd.responders.state import State
from onboardd.store import queries
from onboardd.store.engine import StoreError, make_engine, upgrade
from onboardd.store.models import InboundMessage, OutboxMessage

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
DEFAULT_CONFIG = Path("/etc/onboardd/config.toml")
log = logging.getLogger("onboardd")


class CommandError(Exception):
    """A command cannot do what was asked; the message is for the user."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 moment: {text!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onboardd", description=__doc__)
    parser.add_argument(
        "--config",
        type=Path,
        help="config file (default: $ONBOARDD_CONFIG, then /etc/onboardd/config.toml)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG")
    parser.add_argument("--version", action="version",
                        version=f"onboardd {importlib.metadata.version('onboardd')}")
    parser.add_argument(
        "--log-format",
        choices=logs.FORMATS,
        default="text",
        help="stderr log lines: text (journald-friendly) or json (one object a line)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="process mail (with --once: drain and exit)")
    run.add_argument("--once", action="store_true", help="drain mailboxes and outbox, then exit")
    run.add_argument("--now", type=_moment, help="act as of this moment (ISO 8601)")
    run.set_defaults(handler=_run)

    commands.add_parser("check-config", help="validate the config").set_defaults(
        handler=_check_config
    )
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply schema migrations").set_defaults(
        handler=_db_upgrade
    )

    requests = commands.add_parser("requests", help="look at requests")
    req_commands = requests.add_subparsers(dest="requests_command", required=True, metavar="ACTION")
    listing = req_commands.add_parser("list", help="one line per request")
    listing.add_argument("--state", choices=[s.value for s in State])
    listing.set_defaults(handler=_requests_list)
    show = req_commands.add_parser("show", help="one request with its history")
    show.add_argument("reference")
    show.set_defaults(handler=_requests_show)
    export = req_commands.add_parser("export", help="every request as JSON or CSV")
    export.add_argument("--format", choices=["json", "csv"], default="json")
    export.set_defaults(handler=_requests_export)

    for verb in ("approve", "deny"):
        decision = commands.add_parser(verb, help=f"{verb} one service of a request as its lead")
        decision.add_argument("reference")
        decision.add_argument("--service", required=True, help="catalog name of the service")
        decision.add_argument("--by", required=True, help="the deciding lead's address")
        decision.add_argument("--reason", help="why (shown to the requester)")
        decision.set_defaults(handler=_decide, verdict=verb)

    outbox = commands.add_parser("outbox", help="outgoing mail queue")
    out_commands = outbox.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")
    out_commands.add_parser("list", help="queued, sent and failed mail").set_defaults(
        handler=_outbox_list
    )
    retry = out_commands.add_parser("retry", help="send a failed or deferred message again")
    retry.add_argument("id", type=int)
    retry.set_defaults(handler=_outbox_retry)

    quarantine = commands.add_parser("quarantine", help="mail set aside by errors")
    q_commands = quarantine.add_subparsers(
        dest="quarantine_command", required=True, metavar="ACTION"
    )
    q_commands.add_parser("list", help="quarantined mail with reasons").set_defaults(
        handler=_quarantine_list
    )
    q_retry = q_commands.add_parser("retry", help="put a quarantined mail through again")
    q_retry.add_argument("key", help="message key (or a unique prefix of it)")
    q_retry.set_defaults(handler=_quarantine_retry)

    digest = commands.add_parser("digest", help="the staff's daily digest")
    how = digest.add_mutually_exclusive_group(required=True)
    how.add_argument("--print", action="store_true", help="show its text in the terminal")
    how.add_argument("--send", action="store_true", help="queue it to digest.recipients and send")
    digest.add_argument("--now", type=_moment, help="report as of this moment (ISO 8601)")
    digest.set_defaults(handler=_digest)
    purge = commands.add_parser("purge", help="apply the retention limits and report")
    purge.add_argument("--now", type=_moment, help="act as of this moment (ISO 8601)")
    purge.set_defaults(handler=_purge)
    return parser


def _config_path(args: argparse.Namespace) -> Path:
    if args.config:
        return Path(args.config)
    return Path(os.environ.get("ONBOARDD_CONFIG") or DEFAULT_CONFIG)


def _load(args: argparse.Namespace) -> Config:
    return load_config(_config_path(args))


def _app(args: argparse.Namespace, *, migrate: bool = True) -> App:
    return build(_load(args), migrate=migrate)


def _now(args: argparse.Namespace) -> datetime:
    return getattr(args, "now", None) or datetime.now(UTC)


def _run(args: argparse.Namespace) -> int:
    fixed_mmap_threshold()
    if not args.once:
        if args.now:
            raise CommandError(
                "--now goes with --once (a service runs on the real clock)", EXIT_USAGE
            )
        service = Service(lambda: _app(args))
        service.install_signal_handlers()
        return service.run()
    app = _app(args)
    report = run_once(app, _now(args))
    timed, timed_sent = periodic.once(app, _now(args))
    print(
        f"processed {report.processed}, duplicates {report.duplicates}, "
        f"quarantined {report.quarantined}, backlog {report.backlog}; "
        f"sent {report.outbox.sent}, deferred {report.outbox.deferred}, "
        f"failed {report.outbox.failed}"
    )
    print(f"time-based work: {timed}; sent {timed_sent.sent}")
    return EXIT_OK


def _check_config(args: argparse.Namespace) -> int:
    config = _load(args)
    load_renderer()
    print(
        f"{config.source}: OK ({len(config.mailboxes)} mailbox(es), "
        f"{len(config.services)} services, {len(config.organizations)} organizations)"
    )
    return EXIT_OK


def _db_upgrade(args: argparse.Namespace) -> int:
    config = _load(args)
    before, after = upgrade(make_engine(config.store.url))
    if before == after:
        print(f"database is up to date (revision {after})")
    else:
        print(f"database upgraded from revision {before or 'none (a new database)'} "
              f"to {after}")
    return EXIT_OK


def _requests_list(args: argparse.Namespace) -> int:
    app = _app(args)
    with app.pipeline.factory() as session:
        print(request_table(queries.requests(session, args.state)))
    return EXIT_OK


def _requests_show(args: argparse.Namespace) -> int:
    app = _app(args)
    with app.pipeline.factory() as session:
        row = queries.request_by_reference(session, args.reference)
        if row is None:
            raise CommandError(f"no request {args.reference}")
        print(request_detail(session, row))
    return EXIT_OK


def _requests_export(args: argparse.Namespace) -> int:
    app = _app(args)
    with app.pipeline.factory() as session:
        rows = queries.requests(session)
        sys.stdout.write(export_json(rows) + "\n" if args.format == "json" else export_csv(rows))
    return EXIT_OK


def _decide(args: argparse.Namespace) -> int:
    app = _app(args)
    now = datetime.now(UTC)
    entry = app.pipeline.policy.service(args.service)
    if entry is None:
        raise CommandError(f"no service {args.service!r} in the catalog (its names and aliases "
                           "are in the config's [[services]])", EXIT_USAGE)
    with app.pipeline.factory() as session, session.begin():
        row = queries.request_by_reference(session, args.reference)
        if row is not None:  # locked: a reply the daemon is deciding on may touch it too
            row = queries.lock_request(session, row.id)
        if row is None:
            raise CommandError(f"no request {args.reference}")
        outcome = decide_manually(
            view_of(row),
            service=entry.name,
            by=args.by,
            verdict=Verdict.APPROVE if args.verdict == "approve" else Verdict.DENY,
            reason=args.reason,
            policy=app.pipeline.policy,
            renderer=app.pipeline.renderer,
            now=now,
        )
        record_outcome(
            session,
            outcome,
            found=row,
            mailbox=row.mailbox,
            sender=app.sender_for(row.mailbox),
            now=now,
        )
        state = row.state
    report = drain(app.pipeline.factory, app.transport(), now)
    print(
        f"{args.reference}: {entry.name} "
        f"{'approved' if args.verdict == 'approve' else 'denied'} by {args.by.lower()}; "
        f"request is {state}; sent {report.sent}"
    )
    return EXIT_OK


def _outbox_list(args: argparse.Namespace) -> int:
    app = _app(args)
    with app.pipeline.factory() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        print(outbox_table(rows))
    return EXIT_OK


def _outbox_retry(args: argparse.Namespace) -> int:
    app = _app(args)
    now = datetime.now(UTC)
    with app.pipeline.factory() as session, session.begin():
        row = session.get(OutboxMessage, args.id)
        if row is None:
            raise CommandError(f"no outbox message {args.id}")
        if row.status == "sent":
            raise CommandError(f"outbox message {args.id} was already sent at {row.sent_at}")
        row.status, row.next_attempt_at, row.created_at = "pending", now, now
    report = drain(app.pipeline.factory, app.transport(), now)
    print(f"sent {report.sent}, deferred {report.deferred}, failed {report.failed}")
    return EXIT_OK if report.sent else EXIT_FAILURE


def _quarantine_list(args: argparse.Namespace) -> int:
    app = _app(args)
    with app.pipeline.factory() as session:
        rows = session.scalars(
            select(InboundMessage)
            .where(InboundMessage.status == "quarantined")
            .order_by(InboundMessage.id)
        ).all()
        print(quarantine_table(rows))
    return EXIT_OK


def _quarantine_retry(args: argparse.Namespace) -> int:
    app = _app(args)
    with app.pipeline.factory() as session:
        rows = session.scalars(
            select(InboundMessage).where(
                InboundMessage.status == "quarantined",
                InboundMessage.message_key.startswith(args.key.lower()),
            )
        ).all()
        if len(rows) != 1:
            raise CommandError(
                f"{'no' if not rows else 'more than one'} quarantined message matches {args.key}"
            )
        row = rows[0]
        if row.raw is None:
            raise CommandError(f"the raw bytes of {row.message_key[:12]} were purged")
        mail = FetchedMail(row.mailbox, row.folder, row.source_name, row.raw)
    now = datetime.now(UTC)
    result = ingest(app.pipeline, mail, sender=app.sender_for(mail.mailbox), now=now, retry=True)
    report = drain(app.pipeline.factory, app.transport(), now)
    print(f"{result.key[:12]}: {result.status} ({result.reason}); sent {report.sent}")
    return EXIT_OK if not result.quarantined else EXIT_FAILURE


def _digest(args: argparse.Namespace) -> int:
    app = _app(args)
    now = _now(args)
    if args.print:
        mail = digest_mail(app.pipeline.factory, app.config, app.pipeline.renderer, now)
        sys.stdout.write(mail.text)
        return EXIT_OK
    if not app.config.digest.recipients:
        raise CommandError("digest.recipients is empty: nobody to send the digest to", EXIT_USAGE)
    print(periodic.send_digest(app, now))
    report = drain(app.pipeline.factory, app.transport(), now)
    print(f"sent {report.sent}, deferred {report.deferred}, failed {report.failed}")
    return EXIT_OK if not report.failed else EXIT_FAILURE


def _purge(args: argparse.Namespace) -> int:
    app = _app(args)
    print(periodic.retention(app, _now(args)))
    return EXIT_OK


def _setup_logging(verbose: bool, fmt: str = "text") -> None:
    logs.setup(verbose, fmt)


_FAILURES: tuple[tuple[type[Exception], Callable[[Exception], list[str]], int], ...] = (
    (ConfigError, lambda e: [f"config: {p}" for p in e.problems], EXIT_USAGE),  # type: ignore[attr-defined]
    (DecisionError, lambda e: [str(e)], EXIT_USAGE),
    (TemplateError, lambda e: [f"templates: {e}"], EXIT_FAILURE),
    (StoreError, lambda e: [f"database: {e}"], EXIT_FAILURE),
    (StoreUnavailable, lambda e: [f"database: {e}"], EXIT_FAILURE),
    (MailboxError, lambda e: [f"mailbox: {e}"], EXIT_FAILURE),
)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _setup_logging(args.verbose, args.log_format)
    try:
        return int(args.handler(args))
    except CommandError as exc:
        print(f"onboardd: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except Exception as exc:
        for kind, describe, code in _FAILURES:
            if isinstance(exc, kind):
                for line in describe(exc):
                    print(f"onboardd: {line}", file=sys.stderr)
                return code
        log.debug("unexpected error", exc_info=True)
        print(
            f"onboardd: internal error: {type(exc).__name__}: {exc} (run with -v for details)",
            file=sys.stderr,
        )
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
