"""Transports send one stored outbox message; failures say whether to try again."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger("onboardd.outbox")


class TransientSendError(Exception):
    """Try again later (4xx, connection refused, timeout, disk full)."""


class TransportDown(TransientSendError):
    """The server itself is out of reach (refused, timed out, TLS or login failed): no
    other message would fare better now, so the drain stops until its next round."""


class PermanentSendError(Exception):
    """Will never succeed as it stands (5xx); the message is marked failed."""


@dataclass(frozen=True)
class Envelope:
    message_id: str
    mail_from: str
    recipients: tuple[str, ...]
    raw: bytes


class Transport(Protocol):
    def send(self, envelope: Envelope) -> str:
        """Deliver, returning the server's reply (or a description) for the record."""
        ...

    def close(self) -> None: ...


class FileTransport:
    """Writes each message to one .eml file named by its Message-ID, atomically, once.

    A Message-ID whose file is already there is not written again but logged, and
    counted as sent: the outbox then shows each time a reply went out twice (after a
    crash), as a mail server would have delivered it twice, instead of overwriting the
    first copy with the same bytes and hiding the repeat.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def file_for(self, message_id: str) -> Path:
        digest = hashlib.sha256(message_id.encode()).hexdigest()[:16]
        return self.path / f"{digest}.eml"

    def send(self, envelope: Envelope) -> str:
        target = self.file_for(envelope.message_id)
        if target.exists():
            return _already_written(target)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            header = f"X-Envelope-To: {', '.join(envelope.recipients)}\r\n".encode()
            fd, temp = tempfile.mkstemp(dir=self.path, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(header + envelope.raw)
                    handle.flush()
                    os.fsync(handle.fileno())
                # A link, unlike a rename, never replaces a file already there: of two
                # writers of one Message-ID (two instances) exactly one writes it.
                os.link(temp, target)
            finally:
                os.unlink(temp)
        except FileExistsError:
            return _already_written(target)
        except OSError as exc:
            raise TransientSendError(f"cannot write {target}: {exc.strerror}") from exc
        return f"written to {target.name}"

    def close(self) -> None:
        return None


def _already_written(target: Path) -> str:
    # The file's name, not the Message-ID: a grant's Message-ID carries its reply token.
    log.warning("outbox file %s was written before: this Message-ID is not written again",
                target.name)
    return f"already written to {target.name}: not written again"
