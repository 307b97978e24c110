"""`onboardd run`: serve the mailboxes, the outbox and the periodic jobs until SIGTERM.

The loop is small (STYLE.md 7): one pass over every mailbox, the outbox and the due
jobs, then a wait that IDLE watchers, signals or the next due time cut short. Signals
only set flags; SIGTERM lets the mail in hand finish; SIGHUP reloads config and
templates between passes.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType

from sqlalchemy.exc import DBAPIError

from onboardd.daemon import periodic, systemd
from onboardd.daemon.app import App
from onboardd.daemon.config import ImapMailbox as ImapConfig
from onboardd.daemon.imapbox import IdleWatcher
from onboardd.daemon.ingest import StoreUnavailable
from onboardd.daemon.mailbox import Mailbox, MailboxError
from onboardd.daemon.outbox import drain
from onboardd.daemon.runner import PassReport, drain_mailbox
from onboardd.daemon.scheduler import utc_now
from onboardd.store import queries
from onboardd.store.locks import MailboxLock

log = logging.getLogger("onboardd.serve")

MAILDIR_POLL_SECONDS = 5.0
# The outbox retries on its own schedule (30 s and up); look at it at least this often.
LONGEST_WAIT = 30.0
# Once the mail server was found unreachable, sending pauses this long (the replies
# stay queued) so that a backlog of mail does not cost one connection timeout each.
OUTBOX_PAUSE = 30.0
LONGEST_BACKOFF = 300.0


@dataclass
class Link:
    """One mailbox and its connection health."""

    mailbox: Mailbox
    poll_seconds: float
    lock: MailboxLock
    connected: bool = False
    standby: bool = False  # another instance holds this mailbox
    retry_at: float = 0.0
    backoff: float = 1.0
    errors: int = field(default=0)


class Service:
    def __init__(
        self,
        load: Callable[[], App],
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._load = load
        self.clock = clock
        self.app = load()
        self.stop = threading.Event()
        self.wake = threading.Event()
        self._reload = False
        self._ready = False
        self._watchers: list[IdleWatcher] = []
        self._links: list[Link] = []

    # Signals only set flags and wake the wait.
    def request_stop(self, *_: object) -> None:
        self.stop.set()
        self.wake.set()

    def request_reload(self, *_: object) -> None:
        self._reload = True
        self.wake.set()

    def install_signal_handlers(self) -> None:
        def on_stop(signum: int, frame: FrameType | None) -> None:
            self.request_stop()

        def on_reload(signum: int, frame: FrameType | None) -> None:
            self.request_reload()

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        signal.signal(signal.SIGHUP, on_reload)

    def run(self) -> int:
        self._start()
        try:
            while not self.stop.is_set():
                self.one_pass()
                self._wait()
        finally:
            systemd.stopping("finishing and closing connections")
            self._shutdown()
        log.info("stopped")
        return 0

    def _start(self) -> None:
        self._links = [
            Link(m, _poll_seconds(self.app, m), MailboxLock(self.app.engine, m.name))
            for m in self.app.mailboxes()
        ]
        # Each generation of watchers has its own stop, so a reload retires the old ones.
        self._watch_stop = threading.Event()
        self._watchers = [
            IdleWatcher(config, self.wake, self._watch_stop)
            for config in self.app.config.mailboxes
            if isinstance(config, ImapConfig) and config.idle
        ]
        for watcher in self._watchers:
            watcher.start()
        self._transport = self.app.transport()
        self._outbox_paused_until = 0.0
        self._scheduler = periodic.build_scheduler(self.app, self.clock)
        self._watchdog_every = systemd.watchdog_interval()
        self._last_watchdog = 0.0
        self._caught_up = False  # startup work runs after the first pass (periodic.start)

    def one_pass(self) -> PassReport:
        """Every mailbox once, then whatever jobs are due, then the outbox."""
        report = PassReport()
        for link in self._links:
            if self.stop.is_set():
                break
            self._serve(link, report)
        if not self._ready and any(link.connected or link.standby for link in self._links):
            self._ready = True
            serving = [link.mailbox.name for link in self._links if link.connected]
            systemd.ready(
                f"serving {', '.join(serving) or 'nothing'}; "
                f"{sum(link.standby for link in self._links)} on standby"
            )
        # Jobs before the drain, so what they queue goes out in this same pass; none is
        # begun once a stop was asked for.
        if not self.stop.is_set():
            if not self._caught_up:
                self._caught_up = True
                periodic.start(self._scheduler)
            self._scheduler.run_pending()
        try:
            self._send_outbox(report)
        except DBAPIError as exc:
            log.warning("outbox: database unavailable (%s); trying again shortly", exc.orig)
        if self._reload:
            self._do_reload()
        self._heartbeat(report)
        return report

    def _serve(self, link: Link, report: PassReport) -> None:
        link.standby = not link.lock.acquire()
        if link.standby:
            # Another instance serves this mailbox; take over when its lock frees.
            if link.connected:
                log.warning("mailbox %s: lost its lock; standing by", link.mailbox.name)
                link.mailbox.close()
                link.connected = False
            return
        if not link.connected:
            if time.monotonic() < link.retry_at:
                return
            try:
                link.mailbox.connect()
            except MailboxError as exc:
                self._failed(link, exc)
                return
            if link.errors:
                log.info("mailbox %s: connected again", link.mailbox.name)
            link.connected, link.backoff, link.errors = True, 1.0, 0
        try:
            drain_mailbox(
                self.app,
                link.mailbox,
                self.clock(),
                report,
                self.stop.is_set,
                after_commit=lambda: self._send_outbox(report),
            )
        except MailboxError as exc:
            link.mailbox.close()
            link.connected = False
            self._failed(link, exc)
        except (StoreUnavailable, DBAPIError) as exc:
            # The mail stays where it is; it is read again once the database answers.
            log.warning(
                "mailbox %s: database unavailable (%s); backing off", link.mailbox.name, exc
            )
            self.stop.wait(min(link.backoff, LONGEST_BACKOFF))
            link.backoff = min(link.backoff * 2, LONGEST_BACKOFF)

    def _send_outbox(self, report: PassReport) -> None:
        """Send what is due: after each answered mail, and once per pass (the timer)."""
        if time.monotonic() < self._outbox_paused_until:
            return
        sent = drain(self.app.pipeline.factory, self._transport, self.clock())
        report.outbox.add(sent)
        if sent.unreachable:
            self._outbox_paused_until = time.monotonic() + OUTBOX_PAUSE

    def _failed(self, link: Link, exc: MailboxError) -> None:
        link.errors += 1
        link.retry_at = time.monotonic() + link.backoff
        log.warning("%s; retrying in %.0f s", exc, link.backoff)
        link.backoff = min(link.backoff * 2, LONGEST_BACKOFF)
        try:
            with self.app.pipeline.factory() as session, session.begin():
                state = queries.mailbox_state(session, link.mailbox.name, link.mailbox.folder)
                if state is not None:
                    state.last_error, state.last_error_at = str(exc)[:2000], self.clock()
        except DBAPIError:
            pass  # the health note is best effort; the log line above already says it

    def _wait(self) -> None:
        timeouts = [LONGEST_WAIT]
        for link in self._links:
            timeouts.append(link.poll_seconds)
            if not link.connected:
                timeouts.append(max(link.retry_at - time.monotonic(), 0.1))
        due = self._scheduler.idle_seconds()
        if due is not None:
            timeouts.append(max(due, 0.0))
        if self._watchdog_every:
            timeouts.append(self._watchdog_every)
        self.wake.wait(max(min(timeouts), 0.0))
        self.wake.clear()

    def _heartbeat(self, report: PassReport) -> None:
        if (
            self._watchdog_every
            and time.monotonic() - self._last_watchdog >= self._watchdog_every / 2
        ):
            systemd.watchdog()
            self._last_watchdog = time.monotonic()
        if report.processed or report.quarantined or report.outbox.sent:
            systemd.status(
                f"processed {report.processed}, quarantined {report.quarantined}, "
                f"sent {report.outbox.sent}; {self._scheduler.describe()}"
            )

    def _do_reload(self) -> None:
        self._reload = False
        systemd.reloading()
        try:
            fresh = self._load()
        except Exception as exc:  # a bad edit must not stop a running service
            log.error("reload refused, keeping the running config: %s", exc)
            systemd.ready("reload refused; running the previous config")
            return
        self._shutdown_links()
        self.app = fresh
        self._start()
        log.info("config and templates reloaded")
        systemd.ready("reloaded")

    def _shutdown_links(self) -> None:
        self._watch_stop.set()
        for link in self._links:
            link.mailbox.close()
            link.lock.release()
        self._transport.close()
        for watcher in self._watchers:
            watcher.join()

    def _shutdown(self) -> None:
        self.stop.set()
        self._shutdown_links()


def _poll_seconds(app: App, mailbox: Mailbox) -> float:
    config = next(m for m in app.config.mailboxes if m.name == mailbox.name)
    return float(config.poll_seconds) if isinstance(config, ImapConfig) else MAILDIR_POLL_SECONDS
