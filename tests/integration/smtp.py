"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

from __future__ import annotations

import email
import itertools
import threading
from email import policy
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from tests.integration.dovecot import free_port

_ids = itertools.count(1)


class Collector:
    """Stores every accepted message; `refuse_with` makes it answer DATA with an error."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.refuse_with: str | None = None
        self.arrived = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_with:
            return self.refuse_with
        self.received.append(envelope.original_content or envelope.content)
        self.arrived.set()
        return f"250 2.0.0 Ok: queued as Q{next(_ids)}"

    def messages(self) -> list[Message]:
        return [email.message_from_bytes(raw, policy=policy.default) for raw in self.received]

    def kinds(self) -> list[str]:
        return sorted(str(m["X-Onboarding-Notice"]) for m in self.messages())


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.collector = Collector()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
