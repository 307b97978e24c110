"""The `onboardd` command line: parse arguments, run a command, return its exit code."""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from onboardd.daemon import contract_reports, logs, periodic
from onboardd.daemon.app import App, build, load_renderer
from onboardd.daemon.apply import record_outcome
from onboardd.daemon.config import (
    Config,
    ConfigError,
    MaildirMailbox,
    load_config,
    readiness_problems,
    sqlite_file,
)
from onboardd.daemon.digest import digest_mail
from onboardd.daemon.ingest import StoreUnavailable, ingest
from onboardd.daemon.initialise import initialise
from onboardd.daemon.mailbox import FetchedMail, MailboxError
from onboardd.daemon.maildir import QUARANTINE_FOLDER
from onboardd.daemon.maildir import MaildirMailbox as MaildirAdapter
from onboardd.daemon.malloc import fixed_mmap_threshold
from onboardd.daemon.outbox import DrainReport, drain
from onboardd.daemon.purge import preview
from onboardd.daemon.records import view_of
from onboardd.daemon.reports import (
    export_csv,
    export_json,
    outbox_table,
    quarantine_detail,
    quarantine_table,
    request_detail,
    request_table,
)
from onboardd.daemon.runner import run_once
from onboardd.daemon.serve import Service
from onboardd.parsers.decision import Verdict
from onboardd.responders import staff
from onboardd.responders.approvals import DecisionError, decide_manually
from onboardd.responders.render import TemplateError
from onboardd.responders.state import OFFBOARDING_STATES, State
from onboardd.responders.view import Outcome, RequestView
from onboardd.store import contracts, queries
from onboardd.store.engine import (
    StoreError,
    current_revision,
    upgrade,
    upgrade_database,
)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
DEFAULT_CONFIG = Path("/etc/onboardd/config.toml")
DESCRIPTION = (
    "Answer contractor onboarding requests sent by mail, and let staff look at and act "
    "on them."
)
OUTBOX_STATUSES = ("pending", "sent", "failed")
# How far ahead of the clock `purge --now` may be before it wants --yes (clock skew
# between hosts, a moment typed to the minute).
PURGE_FUTURE_SLACK = timedelta(minutes=5)
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
    parser = argparse.ArgumentParser(prog="onboardd", description=DESCRIPTION)
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

    commands.add_parser(
        "check-config",
        help="validate the config, its secrets and folders",
        description="Validate the config, read each secret it names, and check that each "
        "Maildir, the outbox folder and the database folder exist and are writable.",
    ).set_defaults(handler=_check_config)
    commands.add_parser(
        "init",
        help="make the Maildir(s), the database folder and the database",
        description="Make what a first start needs: each Maildir mailbox (new/, cur/, "
        "tmp/), the SQLite database's folder, and the database schema. Nothing else "
        "makes a missing Maildir or database folder, so a typo in the config is an error.",
    ).set_defaults(handler=_init)
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply schema migrations").set_defaults(
        handler=_db_upgrade
    )

    contracts_parser = commands.add_parser("contracts", help="look at contracts")
    contract_commands = contracts_parser.add_subparsers(dest="contracts_command", required=True,
                                                        metavar="ACTION")
    contract_commands.add_parser("list", help="one line per contract").set_defaults(
        handler=_contracts_list)
    contract_show = contract_commands.add_parser(
        "show", help="one contract with its contacts and requests")
    contract_show.add_argument("number")
    contract_show.set_defaults(handler=_contracts_show)
    contract_export = contract_commands.add_parser("export", help="every contract as JSON or CSV")
    contract_export.add_argument("--format", choices=["json", "csv"], default="json")
    contract_export.set_defaults(handler=_contracts_export)

    requests = commands.add_parser("requests", help="look at requests and act on them")
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
    confirm = req_commands.add_parser(
        "confirm-cor",
        help="record a COR approval given by phone or portal (or waive it)",
        description="Record that the request's COR approved it outside mail (or, with "
        "--waive, that no COR approval is needed). The request goes on to the service "
        "leads, who are asked for their approval at once, as after the COR's own reply.",
    )
    confirm.add_argument("reference")
    confirm.add_argument("--by", required=True, help="who on the staff recorded it")
    confirm.add_argument("--reason", required=True,
                         help="how the approval came (e.g. 'phone call with the COR, 3 Dec')")
    confirm.add_argument("--waive", action="store_true",
                         help="no COR approval is needed, rather than one was given")
    confirm.set_defaults(handler=_confirm_cor)
    withdraw = req_commands.add_parser("withdraw", help="close an open request",
                                       description="Close an open request (the requester "
                                       "asked by phone, a duplicate). No mail is sent.")
    withdraw.add_argument("reference")
    withdraw.add_argument("--by", required=True, help="who on the staff closed it")
    withdraw.add_argument("--reason", required=True, help="why (kept in its history)")
    withdraw.set_defaults(handler=_withdraw)
    reopen = req_commands.add_parser(
        "reopen",
        help="put a request back to an earlier state",
        description="Put a request back to a state: a withdrawn or expired one to "
        "incomplete, awaiting_cor or awaiting_approval; a denied one to awaiting_cor or "
        "awaiting_approval (its decisions are undone); awaiting_approval to awaiting_cor "
        "or incomplete; awaiting_cor to incomplete. Going to awaiting_cor or "
        "awaiting_approval asks the COR or the leads again.",
    )
    reopen.add_argument("reference")
    reopen.add_argument("--state", required=True,
                        choices=[s.value for s in State
                                 if s.is_open and s not in OFFBOARDING_STATES],
                        help="the state to put it in")
    reopen.add_argument("--by", required=True, help="who on the staff reopened it")
    reopen.add_argument("--reason", required=True, help="why (kept in its history)")
    reopen.set_defaults(handler=_reopen)

    for verb in ("approve", "deny"):
        decision = commands.add_parser(verb, help=f"{verb} one service of a request as its lead")
        decision.add_argument("reference")
        decision.add_argument("--service", required=True,
                              help="the service's catalog name or one of its aliases")
        decision.add_argument("--by", required=True, help="the deciding lead's address")
        decision.add_argument("--reason", help="why (shown to the requester)")
        decision.set_defaults(handler=_decide, verdict=verb)

    outbox = commands.add_parser("outbox", help="outgoing mail queue")
    out_commands = outbox.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")
    out_list = out_commands.add_parser("list", help="queued, sent and failed mail")
    out_list.add_argument("--to", help="only mail to (or copied to) this address")
    out_list.add_argument("--reference", help="only mail about this request")
    out_list.add_argument("--status", choices=OUTBOX_STATUSES)
    out_list.set_defaults(handler=_outbox_list)
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
    q_show = q_commands.add_parser(
        "show",
        help="one quarantined mail's headers and text, safe for a terminal",
        description="Show a quarantined mail's headers and plain text, with control and "
        "format characters escaped; HTML and attachments are named, never shown.",
    )
    q_show.add_argument("key", help="message key (or a unique prefix of it)")
    q_show.set_defaults(handler=_quarantine_show)
    q_retry = q_commands.add_parser(
        "retry",
        help="put a quarantined mail through again",
        description="Put a quarantined mail through again; once it is processed, its "
        f"file moves from the Maildir's {QUARANTINE_FOLDER}/ to cur/.",
    )
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
    purge.add_argument("--dry-run", action="store_true",
                       help="say what would be removed, and remove nothing")
    purge.add_argument("--yes", action="store_true",
                       help="purge as of a --now in the future (removes records early)")
    purge.set_defaults(handler=_purge)
    return parser


def _config_path(args: argparse.Namespace) -> Path:
    if args.config:
        return Path(args.config)
    return Path(os.environ.get("ONBOARDD_CONFIG") or DEFAULT_CONFIG)


def _load(args: argparse.Namespace) -> Config:
    return load_config(_config_path(args))


def _app(args: argparse.Namespace, *, create: bool = False) -> App:
    """The configured app; without `create`, only on a database that exists already,
    so looking at requests on a fresh config makes no database."""
    config = _load(args)
    if create:
        return build(config)
    missing = ("no database yet: onboardd init makes it (so does the first "
               "onboardd run)")
    database = sqlite_file(config.store.url)
    if database is not None and not database.exists():
        raise CommandError(f"{missing}; looked for {database}")
    app = build(config, migrate=False)
    if current_revision(app.engine) is None:
        raise CommandError(missing)
    upgrade(app.engine)
    return app


def _now(args: argparse.Namespace) -> datetime:
    return getattr(args, "now", None) or datetime.now(UTC)


def _run(args: argparse.Namespace) -> int:
    fixed_mmap_threshold()
    if not args.once:
        if args.now:
            raise CommandError(
                "--now goes with --once (a service runs on the real clock)", EXIT_USAGE
            )
        service = Service(lambda: _app(args, create=True))
        service.install_signal_handlers()
        return service.run()
    app = _app(args, create=True)
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
    problems = readiness_problems(config)
    if problems:
        raise ConfigError(problems)
    print(
        f"{config.source}: OK ({len(config.mailboxes)} mailbox(es), "
        f"{len(config.services)} services, {len(config.organizations)} organizations)"
    )
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    config = _load(args)
    try:
        done = initialise(config)
    except OSError as exc:
        raise CommandError(f"init: {exc.strerror}: {exc.filename}") from exc
    print("\n".join(done))
    return EXIT_OK


def _db_upgrade(args: argparse.Namespace) -> int:
    config = _load(args)
    before, after, applied = upgrade_database(config.store.url)
    if not applied:
        print(f"database is up to date (revision {after})")
    else:
        print(f"database upgraded from revision {before or 'none (a new database)'} "
              f"to {after}; applied: {', '.join(applied)}")
    return EXIT_OK


def _contracts_list(args: argparse.Namespace) -> int:
    app = _app(args)
    with app.pipeline.factory() as session:
        print(contract_reports.contract_table(contracts.all_contracts(session),
                                              contracts.requests_per_contract(session)))
    return EXIT_OK


def _contracts_show(args: argparse.Namespace) -> int:
    app = _app(args)
    with app.pipeline.factory() as session:
        row = contracts.contract_by_number(session, args.number)
        if row is None:
            raise CommandError(f"no contract {args.number}")
        print(contract_reports.contract_detail(row, contracts.requests_of(session, row.id)))
    return EXIT_OK


def _contracts_export(args: argparse.Namespace) -> int:
    app = _app(args)
    with app.pipeline.factory() as session:
        rows, counts = contracts.all_contracts(session), contracts.requests_per_contract(session)
        sys.stdout.write(contract_reports.export_json(rows, counts) + "\n"
                         if args.format == "json" else contract_reports.export_csv(rows, counts))
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

    def act(view: RequestView) -> Outcome:
        try:
            return decide_manually(
                view,
                service=entry.name,
                by=args.by,
                verdict=Verdict.APPROVE if args.verdict == "approve" else Verdict.DENY,
                reason=args.reason,
                policy=app.pipeline.policy,
                renderer=app.pipeline.renderer,
                now=now,
            )
        except DecisionError as exc:
            message = str(exc)
            raise staff.StaffActionError(message, staff.refusal(
                view, args.by.strip().lower(), args.verdict, message, service=entry.name
            )) from exc

    state, report = _act_on_request(app, args.reference, act, now)
    print(
        f"{args.reference}: {entry.name} "
        f"{'approved' if args.verdict == 'approve' else 'denied'} by {args.by.lower()}; "
        f"request is {state}; sent {report.sent}"
    )
    return EXIT_OK


def _act_on_request(
    app: App, reference: str, act: Callable[[RequestView], Outcome], now: datetime
) -> tuple[str, DrainReport]:
    """Apply a staff action to one request under its lock, record what it did (or the
    refusal, which is kept in the request's history too), then send what it queued."""
    refused: str | None = None
    with app.pipeline.factory() as session, session.begin():
        row = queries.request_by_reference(session, reference)
        if row is not None:  # locked: a reply the daemon is deciding on may touch it too
            row = queries.lock_request(session, row.id)
        if row is None:
            raise CommandError(f"no request {reference}")
        try:
            outcome = act(view_of(row))
        except staff.StaffActionError as exc:
            outcome, refused = exc.outcome, str(exc)
        record_outcome(
            session,
            outcome,
            found=row,
            mailbox=row.mailbox,
            sender=app.sender_for(row.mailbox),
            now=now,
        )
        state = row.state
    if refused is not None:
        raise CommandError(refused, EXIT_USAGE)
    return state, drain(app.pipeline.factory, app.transport(), now)


def _confirm_cor(args: argparse.Namespace) -> int:
    app = _app(args)
    state, report = _act_on_request(
        app,
        args.reference,
        lambda view: staff.confirm_cor(
            view, by=args.by.strip(), reason=args.reason, waive=args.waive,
            policy=app.pipeline.policy, renderer=app.pipeline.renderer,
        ),
        datetime.now(UTC),
    )
    what = "waived" if args.waive else "confirmed"
    print(f"{args.reference}: COR approval {what} by {args.by.strip()}; request is {state}; "
          f"sent {report.sent}")
    return EXIT_OK


def _withdraw(args: argparse.Namespace) -> int:
    app = _app(args)
    state, _ = _act_on_request(
        app, args.reference,
        lambda view: staff.withdraw(view, by=args.by.strip(), reason=args.reason),
        datetime.now(UTC),
    )
    print(f"{args.reference}: {state} by {args.by.strip()}")
    return EXIT_OK


def _reopen(args: argparse.Namespace) -> int:
    app = _app(args)
    state, report = _act_on_request(
        app,
        args.reference,
        lambda view: staff.reopen(
            view, State(args.state), by=args.by.strip(), reason=args.reason,
            policy=app.pipeline.policy, renderer=app.pipeline.renderer,
        ),
        datetime.now(UTC),
    )
    print(f"{args.reference}: put back to {state} by {args.by.strip()}; sent {report.sent}")
    return EXIT_OK


def _outbox_list(args: argparse.Namespace) -> int:
    app = _app(args)
    with app.pipeline.factory() as session:
        rows = queries.outbox_messages(
            session, to=args.to, reference=args.reference, status=args.status
        )
        filtered = bool(args.to or args.reference or args.status)
        print(outbox_table(rows, filtered=filtered))
    return EXIT_OK


def _outbox_retry(args: argparse.Namespace) -> int:
    app = _app(args)
    now = datetime.now(UTC)
    with app.pipeline.factory() as session, session.begin():
        row = queries.outbox_message(session, args.id)
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
        print(quarantine_table(queries.quarantined(session)))
    return EXIT_OK


def _one_quarantined(app: App, key: str) -> tuple[str, str, FetchedMail | None]:
    """The quarantined mail `key` names: its key, its safe display, and the mail to put
    through again (None when its bytes were purged)."""
    with app.pipeline.factory() as session:
        rows = queries.quarantined(session, key)
        if len(rows) != 1:
            raise CommandError(
                f"{'no' if not rows else 'more than one'} quarantined message matches {key}"
            )
        row = rows[0]
        shown = quarantine_detail(row)
        mail = (FetchedMail(row.mailbox, row.folder, row.source_name, row.raw)
                if row.raw is not None else None)
        return row.message_key, shown, mail


def _quarantine_show(args: argparse.Namespace) -> int:
    _, shown, _ = _one_quarantined(_app(args), args.key)
    print(shown)
    return EXIT_OK


def _quarantine_retry(args: argparse.Namespace) -> int:
    app = _app(args)
    key, _, mail = _one_quarantined(app, args.key)
    if mail is None:
        raise CommandError(f"the raw bytes of {key[:12]} were purged")
    now = datetime.now(UTC)
    result = ingest(app.pipeline, mail, sender=app.sender_for(mail.mailbox), now=now, retry=True)
    moved = "" if result.quarantined else _release(app, mail)
    report = drain(app.pipeline.factory, app.transport(), now)
    print(f"{result.key[:12]}: {result.status} ({result.reason}){moved}; sent {report.sent}")
    return EXIT_OK if not result.quarantined else EXIT_FAILURE


def _release(app: App, mail: FetchedMail) -> str:
    """Take a mail that went through out of its mailbox's quarantine folder."""
    mailbox = next((m for m in app.config.mailboxes if m.name == mail.mailbox), None)
    if not isinstance(mailbox, MaildirMailbox):
        return "; its copy in the IMAP quarantine folder stays where it is"
    adapter = MaildirAdapter(mailbox.name, mailbox.address, mailbox.path)
    if adapter.release(mail.handle):
        return f"; moved out of {QUARANTINE_FOLDER}/ to cur/"
    return f"; its file was no longer in {QUARANTINE_FOLDER}/"


def _digest(args: argparse.Namespace) -> int:
    app = _app(args, create=args.send)  # a digest queued is a write, as a run's is
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
    now = _now(args)
    if now > datetime.now(UTC) + PURGE_FUTURE_SLACK and not (args.yes or args.dry_run):
        raise CommandError(
            f"--now {now.isoformat()} is in the future: a purge as of then removes records "
            "before their time (add --yes if that is meant, or --dry-run to see what would go)",
            EXIT_USAGE,
        )
    app = _app(args)
    if args.dry_run:
        print(preview(app.pipeline.factory, app.config.retention, now))
    else:
        print(periodic.retention(app, now))
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
