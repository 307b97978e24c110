"""The IMAP adapter's decisions, against a scripted client: what it never does to mail
(expunge what was not copied), how it reads IDLE answers, how it sizes its fetches.
The same paths run against a real Dovecot in tests/integration/."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from onboardd.daemon import imapbox
from onboardd.daemon.config import ImapMailbox as ImapConfig
from onboardd.daemon.imapbox import IdleWatcher, ImapMailbox
from onboardd.daemon.mailbox import FetchedMail, MailboxError

CONFIG = ImapConfig(
    kind="imap",
    name="onboarding",
    address="onboarding@onboard.example.gov",
    host="imap.example.gov",
    username="onboarding",
    password_env="UNUSED",
)


class ScriptedClient:
    """The few IMAPClient calls the adapter makes, recorded; failures on request."""

    def __init__(self, capabilities: set[str], fail: frozenset[str] = frozenset()) -> None:
        self.capabilities = capabilities
        self.fail = fail
        self.calls: list[tuple[str, Any]] = []
        self.sizes: dict[int, int] = {}
        self.idle_answers: list[list[Any]] = []

    def _call(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        if name in self.fail:
            raise IMAPClientError(f"{name} failed")

    def has_capability(self, name: str) -> bool:
        return name in self.capabilities

    def move(self, uids: list[int], folder: str) -> None:
        self._call("move", uids, folder)

    def copy(self, uids: list[int], folder: str) -> None:
        self._call("copy", uids, folder)

    def add_flags(self, uids: list[int], flags: list[bytes]) -> None:
        self._call("add_flags", uids, flags)

    def uid_expunge(self, uids: list[int]) -> None:
        self._call("uid_expunge", uids)

    def noop(self) -> None:
        self._call("noop")

    def search(self, criteria: list[str]) -> list[int]:
        self._call("search", criteria)
        return sorted(self.sizes)

    def fetch(self, uids: list[int], items: list[str]) -> dict[int, dict[bytes, Any]]:
        self._call("fetch", list(uids), tuple(items))
        if items == ["RFC822.SIZE"]:
            return {uid: {b"RFC822.SIZE": self.sizes[uid]} for uid in uids}
        return {
            uid: {
                b"BODY[]": b"x" * self.sizes[uid],
                b"INTERNALDATE": datetime(2026, 1, 2, tzinfo=UTC),
            }
            for uid in uids
        }

    def idle(self) -> None:
        self._call("idle")

    def idle_check(self, timeout: float) -> list[Any]:
        return self.idle_answers.pop(0) if self.idle_answers else []

    def idle_done(self) -> None:
        self._call("idle_done")

    def logout(self) -> None:
        self._call("logout")

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def mailbox_with(client: ScriptedClient) -> ImapMailbox:
    box = ImapMailbox(CONFIG)
    box._client = client  # type: ignore[assignment]
    box._move = client.has_capability("MOVE")
    box.uidvalidity = 7
    return box


MAIL = FetchedMail("onboarding", "INBOX", "42", b"raw", uidvalidity=7, uid=42)


def test_move_when_offered() -> None:
    client = ScriptedClient({"MOVE", "UIDPLUS"})
    mailbox_with(client).mark_done(MAIL)
    assert client.calls == [("move", ([42], "Processed"))]


def test_without_move_exactly_the_copied_uid_is_flagged_and_expunged() -> None:
    client = ScriptedClient({"UIDPLUS"})
    mailbox_with(client).quarantine(MAIL)
    assert client.calls == [
        ("copy", ([42], "Quarantine")),
        ("add_flags", ([42], [b"\\Deleted"])),
        ("uid_expunge", ([42],)),
    ]


def test_without_uidplus_nothing_is_expunged() -> None:
    client = ScriptedClient(set())
    mailbox_with(client).mark_done(MAIL)
    assert client.names() == ["copy", "add_flags"]


def test_a_failed_copy_flags_and_expunges_nothing() -> None:
    client = ScriptedClient({"UIDPLUS"}, fail=frozenset({"copy"}))
    with pytest.raises(MailboxError, match="mailbox onboarding: connection lost"):
        mailbox_with(client).mark_done(MAIL)
    assert client.names() == ["copy", "logout"]


def test_a_mail_from_before_a_uidvalidity_change_is_left_for_the_rescan() -> None:
    client = ScriptedClient({"MOVE"})
    box = mailbox_with(client)
    box.uidvalidity = 8
    box.mark_done(MAIL)
    assert client.calls == []


def test_fetches_are_bounded_in_bytes_as_well_as_in_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imapbox, "FETCH_BYTES", 1000)
    client = ScriptedClient({"MOVE"})
    client.sizes = {1: 400, 2: 400, 3: 400, 4: 5000, 5: 10}
    fetched = list(mailbox_with(client).fetch_new())
    assert [m.uid for m in fetched] == [1, 2, 3, 4, 5]
    assert all(m.uidvalidity == 7 and m.arrived_at is not None for m in fetched)
    bodies = [args[0] for name, args in client.calls if name == "fetch" and len(args[1]) == 2]
    # Never over the bound unless one mail alone is bigger; then that mail alone.
    assert bodies == [[1, 2], [3], [4], [5]]
    assert ("fetch", ([1, 2, 3, 4, 5], ("BODY.PEEK[]", "INTERNALDATE"))) not in client.calls


def watcher_over(client: ScriptedClient) -> tuple[IdleWatcher, threading.Event]:
    wake = threading.Event()
    watcher = IdleWatcher(CONFIG, wake, threading.Event())
    watcher.SLICE = 0.2
    return watcher, wake


def test_idle_news_wakes_the_loop() -> None:
    client = ScriptedClient({"IDLE"})
    client.idle_answers = [[(3, b"EXISTS")], [(b"BYE", b"Server", b"shutting", b"down.")]]
    watcher, wake = watcher_over(client)
    with pytest.raises(MailboxError, match="BYE"):
        watcher._one_idle(client)  # type: ignore[arg-type]
    assert wake.is_set()
    assert client.names() == ["idle", "idle_done"]


def test_idle_answering_nothing_at_once_is_a_dead_connection() -> None:
    """imapclient's idle_check returns [] immediately, forever, once the peer is gone."""
    client = ScriptedClient({"IDLE"})
    watcher, wake = watcher_over(client)
    with pytest.raises(MailboxError, match="early"):
        watcher._one_idle(client)  # type: ignore[arg-type]
    assert not wake.is_set()


def test_logging_out_of_a_silent_server_does_not_wait_out_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server that stopped answering (the peer vanished without a reset) must not
    hold a stop request for the 30 s connection timeout."""
    monkeypatch.setattr(imapbox, "LOGOUT_SECONDS", 0.3)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def greet_then_go_silent() -> None:
            peer, _ = listener.accept()
            peer.sendall(b"* OK ready\r\n")
            tag = peer.recv(1024).split(b" ", 1)[0]  # the client's CAPABILITY
            peer.sendall(b"* CAPABILITY IMAP4rev1\r\n" + tag + b" OK done\r\n")
            time.sleep(5)  # then nothing, not even to LOGOUT
            peer.close()

        threading.Thread(target=greet_then_go_silent, daemon=True).start()
        client = IMAPClient("127.0.0.1", port=listener.getsockname()[1], ssl=False, timeout=30)
        began = time.monotonic()
        imapbox._log_out(client)
        assert time.monotonic() - began < 2
