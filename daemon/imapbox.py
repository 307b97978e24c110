"""An IMAP mailbox: BODY.PEEK[] fetches, MOVE after commit, IDLE or polling to wait."""

from __future__ import annotations

import contextlib
import imaplib
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from onboardd.daemon.config import ImapMailbox as ImapConfig
from onboardd.daemon.mailbox import FetchedMail, MailboxError
from onboardd.daemon.secrets import SecretError, SecretSource

log = logging.getLogger("onboardd.imap")

FETCH_BATCH = 100  # messages per UID FETCH of bodies...
FETCH_BYTES = 8 * 1024 * 1024  # ...and no more bytes than this (one big mail alone)
# RFC 2177: a server may drop an IDLE after 30 minutes; re-issue well before that.
IDLE_RENEW_SECONDS = 25 * 60
_DEFAULT_PORTS = {"implicit": 993, "starttls": 143, "none": 143}
LOGOUT_SECONDS = 3.0
# Library and network errors become MailboxError here, and nowhere else.
_NETWORK_ERRORS = (IMAPClientError, imaplib.IMAP4.error, OSError, ssl.SSLError, socket.timeout)


def secret_source(config: ImapConfig) -> SecretSource:
    return SecretSource.of(f"mailbox {config.name}", config)


def open_client(config: ImapConfig, secrets: SecretSource) -> IMAPClient:
    """A logged-in connection with certificate checks, or MailboxError saying why not."""
    context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
    port = config.port or _DEFAULT_PORTS[config.tls]
    where = f"mailbox {config.name} ({config.host}:{port})"
    try:
        client = IMAPClient(
            config.host, port=port, ssl=config.tls == "implicit", ssl_context=context, timeout=30
        )
        if config.tls == "starttls":
            client.starttls(ssl_context=context)
    except _NETWORK_ERRORS as exc:
        raise MailboxError(f"{where}: cannot connect: {_describe(exc)}") from exc
    client.normalise_times = False  # INTERNALDATE stays time-zone aware
    without_wire_trace(client)
    try:
        _login(client, config, secrets)
    except (LoginError, SecretError) as exc:
        _log_out(client)
        raise MailboxError(f"{where}: login refused: {_describe(exc)}") from exc
    except _NETWORK_ERRORS as exc:
        raise MailboxError(f"{where}: connection lost during login: {_describe(exc)}") from exc
    return client


def without_wire_trace(client: IMAPClient) -> None:
    """Turn off imaplib's wire trace, which imapclient turns on for every connection.

    imapclient sets imaplib's debug level to 5 and sends its trace to the
    "imapclient.imaplib" logger. imaplib then formats each response with %r before any
    logger can drop it, the whole of every fetched mail included, a cost paid for
    nothing. And under `-v` the trace would put mail bodies in
    the log, which nothing else in onboardd does. (imaplib's own `debug` attribute:
    imapclient offers no switch for it.)
    """
    client._imap.debug = 0


def _login(client: IMAPClient, config: ImapConfig, secrets: SecretSource) -> None:
    if secrets.uses_oauth2:
        try:
            client.oauth2_login(config.username, secrets.oauth2_token())
        except LoginError:
            # The token may simply have expired since the command last ran: ask again once.
            client.oauth2_login(config.username, secrets.oauth2_token())
        return
    password = secrets.password()
    if password is None:
        raise SecretError(
            "no password source configured (password_file, password_command, "
            "password_env, password_credential or oauth2_token_command)"
        )
    client.login(config.username, password)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0][:300]


def _log_out(client: IMAPClient) -> None:
    """Say goodbye, but never wait long for a server that is gone: a stop request
    (systemd allows 60 s) must not sit out a 30 s timeout per connection."""
    with contextlib.suppress(Exception):
        client.socket().settimeout(LOGOUT_SECONDS)
    _quietly(client.logout)


def _quietly(action: Callable[[], Any]) -> None:
    # Closing a broken connection may fail in any way; there is nothing left to save.
    with contextlib.suppress(Exception):
        action()


class ImapMailbox:
    """One IMAP folder read as a queue: what is in it has not been processed yet."""

    def __init__(self, config: ImapConfig) -> None:
        self.config = config
        self.name = config.name
        self.address = config.address
        self.backlog_days = config.backlog_days
        self.folder = config.folder
        self.uidvalidity: int | None = None
        self._secrets = secret_source(config)
        self._client: IMAPClient | None = None
        self._move = True

    @property
    def client(self) -> IMAPClient:
        if self._client is None:
            raise MailboxError(f"mailbox {self.name}: not connected")
        return self._client

    def connect(self) -> None:
        self.close()
        client = open_client(self.config, self._secrets)
        try:
            for folder in (self.config.processed_folder, self.config.quarantine_folder):
                if not client.folder_exists(folder):
                    client.create_folder(folder)
            selected = client.select_folder(self.folder)
            self._move = client.has_capability("MOVE")
        except _NETWORK_ERRORS as exc:
            _log_out(client)
            raise MailboxError(
                f"mailbox {self.name}: cannot open {self.folder}: {_describe(exc)}"
            ) from exc
        self.uidvalidity = int(selected[b"UIDVALIDITY"])
        self._client = client

    def fetch_new(self) -> Iterator[FetchedMail]:
        """Every message still in the folder, oldest first, without setting \\Seen."""
        try:
            # NOOP first: Dovecot answers a SEARCH from the session's current view and
            # only takes in mail appended by other sessions after it.
            self.client.noop()
            uids = sorted(self.client.search(["UNDELETED"]))
        except _NETWORK_ERRORS as exc:
            raise self._lost(exc) from exc
        for batch in self._batches(uids):
            try:
                fetched = self.client.fetch(batch, ["BODY.PEEK[]", "INTERNALDATE"])
            except _NETWORK_ERRORS as exc:
                raise self._lost(exc) from exc
            for uid in batch:
                # Taken out as it is handed on, and the batch dropped before the next
                # FETCH, so no mail stays in memory here once the loop has it.
                item = fetched.pop(uid, None)
                if item is None or b"BODY[]" not in item:
                    continue  # expunged by someone else meanwhile
                arrived = item.get(b"INTERNALDATE")
                if isinstance(arrived, datetime) and arrived.tzinfo is None:
                    arrived = arrived.replace(tzinfo=UTC)
                yield FetchedMail(
                    self.name,
                    self.folder,
                    str(uid),
                    item[b"BODY[]"],
                    arrived_at=arrived,
                    uidvalidity=self.uidvalidity,
                    uid=uid,
                )
                del item
            del fetched

    def _batches(self, uids: list[int]) -> Iterator[list[int]]:
        """UIDs in groups bounded in count and in total size, so a folder of large mails
        is never held in memory all at once."""
        for start in range(0, len(uids), FETCH_BATCH):
            group = uids[start : start + FETCH_BATCH]
            try:
                sizes = self.client.fetch(group, ["RFC822.SIZE"])
            except _NETWORK_ERRORS as exc:
                raise self._lost(exc) from exc
            batch: list[int] = []
            total = 0
            for uid in group:
                size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
                if batch and total + size > FETCH_BYTES:
                    yield batch
                    batch, total = [], 0
                batch.append(uid)
                total += size
            if batch:
                yield batch

    def mark_done(self, mail: FetchedMail) -> None:
        self.mark_all_done([mail])

    def mark_all_done(self, mails: Sequence[FetchedMail]) -> None:
        self._relocate(mails, self.config.processed_folder)

    def quarantine(self, mail: FetchedMail) -> None:
        self._relocate([mail], self.config.quarantine_folder)

    def _relocate(self, mails: Sequence[FetchedMail], target: str) -> None:
        # A mail fetched before the folder was renumbered is left alone: the rescan finds
        # it again, and its message key says it is done.
        uids = [m.uid for m in mails if m.uid is not None and m.uidvalidity == self.uidvalidity]
        if not uids:
            return
        try:
            if self._move:
                self.client.move(uids, target)
                return
            # No MOVE: copy first (it raises if it fails), then flag and expunge exactly
            # those UIDs. Without UIDPLUS the flag alone hides them from our UNDELETED search.
            self.client.copy(uids, target)
            self.client.add_flags(uids, [b"\\Deleted"])
            if self.client.has_capability("UIDPLUS"):
                self.client.uid_expunge(uids)
        except _NETWORK_ERRORS as exc:
            raise self._lost(exc) from exc

    def _lost(self, exc: BaseException) -> MailboxError:
        self.close()
        return MailboxError(f"mailbox {self.name}: connection lost: {_describe(exc)}")

    def close(self) -> None:
        if self._client is not None:
            _log_out(self._client)
            self._client = None


class IdleWatcher:
    """A second connection that sits in IDLE and wakes the main loop when mail arrives.

    It never fetches or moves anything; losing it only costs latency, so it reconnects
    quietly with backoff and the main loop keeps polling meanwhile.
    """

    SLICE = 1.0  # seconds per idle_check, so a stop request is seen quickly

    def __init__(self, config: ImapConfig, wake: threading.Event, stop: threading.Event) -> None:
        self.config = config
        self.wake = wake
        self.stop = stop
        self.thread = threading.Thread(target=self._run, name=f"idle-{config.name}", daemon=True)
        self.connected = threading.Event()

    def start(self) -> None:
        self.thread.start()

    def join(self, timeout: float = 5.0) -> None:
        self.thread.join(timeout)

    def _run(self) -> None:
        delay = 1.0
        while not self.stop.is_set():
            try:
                self._watch()
                delay = 1.0
            except (MailboxError, *_NETWORK_ERRORS) as exc:
                self.connected.clear()
                log.info(
                    "mailbox %s: IDLE connection lost (%s); again in %.0f s",
                    self.config.name,
                    _describe(exc),
                    delay,
                )
                self.stop.wait(delay)
                delay = min(delay * 2, 60.0)

    def _watch(self) -> None:
        client = open_client(self.config, secret_source(self.config))
        try:
            client.select_folder(self.config.folder, readonly=True)
            if not client.has_capability("IDLE"):
                log.info("mailbox %s: server has no IDLE; polling only", self.config.name)
                self.stop.wait()
                return
            self.connected.set()
            # Mail that came while this watcher was away raises no IDLE event: have the
            # main loop look now rather than at the next poll.
            self.wake.set()
            while not self.stop.is_set():
                self._one_idle(client)
        finally:
            self.connected.clear()
            _log_out(client)

    def _one_idle(self, client: IMAPClient) -> None:
        client.idle()
        began = time.monotonic()
        try:
            while not self.stop.is_set() and time.monotonic() - began < IDLE_RENEW_SECONDS:
                asked = time.monotonic()
                responses = client.idle_check(timeout=self.SLICE)
                if any(r[0] == b"BYE" or b"BYE" in r for r in responses if isinstance(r, tuple)):
                    raise MailboxError("server said BYE")
                if responses:
                    if any(_is_news(r) for r in responses):
                        log.debug("mailbox %s: IDLE reports new mail", self.config.name)
                        self.wake.set()
                elif time.monotonic() - asked < self.SLICE / 2:
                    # imapclient returns [] at once, forever, on a dead connection.
                    raise MailboxError("IDLE returned early with nothing")
        finally:
            _quietly(client.idle_done)


def _is_news(response: object) -> bool:
    return (
        isinstance(response, tuple) and len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT")
    )
