"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives.

It can also speak TLS (implicit or STARTTLS), require AUTH (PLAIN/LOGIN with a password,
XOAUTH2 with a token), and refuse the DATA command or the message after it.
"""

from __future__ import annotations

import base64
import email
import itertools
import ssl
import threading
from email import policy
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from tests.integration.dovecot import free_port

_ids = itertools.count(1)


class Collector:
    """Stores every accepted message.

    `refuse_with` answers the message (after its data) with an error; `refuse_data`
    answers the DATA command itself with one, before any data is sent.
    """

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []  # (MAIL FROM, RCPT TOs) of each
        self.refuse_with: str | None = None
        self.refuse_data: str | None = None
        self.arrived = threading.Event()
        self.password: str | None = None
        self.token: str | None = None
        self.logins: list[tuple[str, bool]] = []  # (mechanism, accepted)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_with:
            return self.refuse_with
        self.received.append(envelope.original_content or envelope.content)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.arrived.set()
        return f"250 2.0.0 Ok: queued as Q{next(_ids)}"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password.decode() == self.password
        self.logins.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        """RFC-less but common: base64 of 'user=U^Aauth=Bearer T^A^A'; a refusal is a
        334 challenge with a JSON error, which the client ends with an empty line."""
        blob = base64.b64decode(args[1]) if len(args) > 1 else b""
        fields = dict(part.split("=", 1) for part in blob.decode().split("\x01") if "=" in part)
        ok = self.token is not None and fields.get("auth") == f"Bearer {self.token}"
        self.logins.append(("XOAUTH2", ok))
        if ok:
            return AuthResult(success=True)
        await server.challenge_auth(b'{"status":"401","schemes":"Bearer"}')
        return AuthResult(success=False, handled=False)

    def messages(self) -> list[Message]:
        return [email.message_from_bytes(raw, policy=policy.default) for raw in self.received]

    def kinds(self) -> list[str]:
        return sorted(str(m["X-Onboarding-Notice"]) for m in self.messages())


class _Smtp(SMTP):
    async def smtp_DATA(self, arg: str) -> None:
        refusal = self.event_handler.refuse_data
        if refusal and self.envelope is not None and self.envelope.rcpt_tos:
            await self.push(refusal)
            return
        await super().smtp_DATA(arg)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _Smtp(self.handler, **self.SMTP_kwargs)


class SmtpServer:
    """`tls`: "none", "starttls" or "implicit" (with `cert`, a (cert, key) pair)."""

    def __init__(self, tls: str = "none", cert: tuple[Path, Path] | None = None) -> None:
        self.port = free_port()
        self.tls = tls
        self.cert = cert
        self.collector = Collector()
        self._controller: Controller | None = None

    def start(self) -> None:
        options: dict[str, Any] = {}
        if self.tls != "none":
            assert self.cert is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, self.cert))
            if self.tls == "implicit":
                options["ssl_context"] = context
            else:
                options["tls_context"] = context
                options["require_starttls"] = True
        if self.collector.password is not None or self.collector.token is not None:
            options["authenticator"] = self.collector.authenticate
            options["auth_required"] = True
        self._controller = _Controller(
            self.collector, hostname="127.0.0.1", port=self.port, **options
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
