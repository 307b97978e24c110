"""A Maildir mailbox: read new/, move finished mail to cur/ with the Seen flag."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from onboardd.daemon.mailbox import FetchedMail, MailboxError

QUARANTINE_FOLDER = ".Quarantine"


def make_maildir(path: Path) -> None:
    """A Maildir at `path` with its quarantine subfolder (what is there already stays)."""
    for folder in (path, path / QUARANTINE_FOLDER):
        for sub in ("new", "cur", "tmp"):
            (folder / sub).mkdir(parents=True, exist_ok=True)


class MaildirMailbox:
    """Maildir as the Maildir spec lays it out; quarantine is a Maildir++ subfolder."""

    def __init__(
        self, name: str, address: str, path: Path, backlog_days: int = 7, *,
        create: bool = False,
    ) -> None:
        self.name = name
        self.address = address
        self.path = path
        self.backlog_days = backlog_days
        self.create = create
        self.folder = "new"
        self.uidvalidity: int | None = None

    def connect(self) -> None:
        if not self.create and not (self.path / "new").is_dir():
            # A mistyped path would otherwise become an empty mailbox nobody writes to.
            raise MailboxError(
                f"mailbox {self.name}: {self.path} is not a Maildir (set create = true on "
                "the mailbox, or run onboardd init)"
            )
        try:
            make_maildir(self.path)
        except OSError as exc:
            raise MailboxError(f"mailbox {self.name}: cannot use {self.path}: {exc}") from exc

    def fetch_new(self) -> Iterator[FetchedMail]:
        new = self.path / "new"
        try:
            names = sorted(n for n in os.listdir(new) if not n.startswith("."))
        except OSError as exc:
            raise MailboxError(f"mailbox {self.name}: cannot list {new}: {exc}") from exc
        for name in names:
            file = new / name
            try:
                raw = file.read_bytes()
                arrived = datetime.fromtimestamp(file.stat().st_mtime, UTC)
            except FileNotFoundError:
                continue  # another reader finished it first
            except OSError as exc:
                raise MailboxError(f"mailbox {self.name}: cannot read {file}: {exc}") from exc
            yield FetchedMail(self.name, "new", name, raw, arrived_at=arrived)

    def mark_done(self, mail: FetchedMail) -> None:
        self._move(mail, self.path / "cur" / f"{_base(mail.handle)}:2,S")

    def mark_all_done(self, mails: Sequence[FetchedMail]) -> None:
        for mail in mails:
            self.mark_done(mail)

    def quarantine(self, mail: FetchedMail) -> None:
        self._move(mail, self.path / QUARANTINE_FOLDER / "cur" / f"{_base(mail.handle)}:2,")

    def release(self, handle: str) -> bool:
        """Move a quarantined mail that went through on a retry to cur/ as done; False
        when it is no longer in the quarantine folder (moved by hand, or purged)."""
        held = self.path / QUARANTINE_FOLDER / "cur" / f"{_base(handle)}:2,"
        try:
            os.replace(held, self.path / "cur" / f"{_base(handle)}:2,S")
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise MailboxError(f"mailbox {self.name}: cannot move {held.name} out of "
                               f"{QUARANTINE_FOLDER}: {exc}") from exc
        return True

    def _move(self, mail: FetchedMail, target: Path) -> None:
        source = self.path / "new" / mail.handle
        try:
            os.replace(source, target)
        except FileNotFoundError:
            if not target.exists():
                raise MailboxError(f"mailbox {self.name}: {mail.handle} vanished") from None
        except OSError as exc:
            raise MailboxError(f"mailbox {self.name}: cannot move {mail.handle}: {exc}") from exc

    def close(self) -> None:
        return None


def _base(handle: str) -> str:
    """The unique part of a Maildir file name, without any :2,flags info."""
    return handle.split(":", 1)[0]
