"""Send outbox messages by SMTP, telling a temporary failure (retry) from a permanent one."""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl

from onboardd.daemon.config import SmtpTransport as SmtpConfig
from onboardd.daemon.secrets import SecretError, SecretSource
from onboardd.daemon.transport import (
    Envelope,
    PermanentSendError,
    TransientSendError,
    TransportDown,
)

log = logging.getLogger("onboardd.smtp")

_DEFAULT_PORTS = {"implicit": 465, "starttls": 587, "none": 25}
TIMEOUT = 30  # seconds for the connection and each reply


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"


def _failure(code: int, message: bytes | str) -> Exception:
    """5xx is permanent; anything else the server says is worth another try."""
    kind = PermanentSendError if 500 <= code < 600 else TransientSendError
    return kind(_reply(code, message))


def _unreachable(exc: BaseException, where: str) -> TransportDown:
    """Why no session could be had; every message would fail the same way for now."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # Bad credentials fail every message alike: keep them queued until fixed.
        return TransportDown(f"login refused: {_reply(exc.smtp_code, exc.smtp_error)}")
    if isinstance(exc, SecretError):
        return TransportDown(str(exc))
    if isinstance(exc, smtplib.SMTPResponseException):
        return TransportDown(f"{where}: {_reply(exc.smtp_code, exc.smtp_error)}")
    if isinstance(exc, OSError | smtplib.SMTPException):
        return TransportDown(f"cannot connect to {where}: {exc}")
    raise exc


def _xoauth2(smtp: smtplib.SMTP, username: str, token: str) -> None:
    blob = f"user={username}\x01auth=Bearer {token}\x01\x01".encode()
    code, message = smtp.docmd("AUTH", "XOAUTH2 " + base64.b64encode(blob).decode())
    if code == 334:
        # A refusal comes as a challenge holding a JSON error; an empty line ends it.
        code, message = smtp.docmd("")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, message)


class SmtpTransport:
    """Keeps one connection open across sends; reconnects when the server drops it."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.secrets = SecretSource.of("transport", config)
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        """A ready (TLS, EHLO, AUTH) session, or TransportDown saying why not."""
        config = self.config
        context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
        port = config.port or _DEFAULT_PORTS[config.tls]
        smtp: smtplib.SMTP | None = None
        try:
            if config.tls == "implicit":
                smtp = smtplib.SMTP_SSL(config.host, port, context=context, timeout=TIMEOUT)
            else:
                smtp = smtplib.SMTP(config.host, port, timeout=TIMEOUT)
                if config.tls == "starttls":
                    smtp.starttls(context=context)
            smtp.ehlo_or_helo_if_needed()
            if config.username:
                self._login(smtp)
            return smtp
        except Exception as exc:
            if smtp is not None:
                smtp.close()
            raise _unreachable(exc, f"{config.host}:{port}") from exc

    def _login(self, smtp: smtplib.SMTP) -> None:
        username = self.config.username
        if not self.secrets.uses_oauth2:
            password = self.secrets.password()
            if password is None:
                raise SecretError("transport: username set but no password source configured")
            smtp.login(username, password)
            return
        try:
            _xoauth2(smtp, username, self.secrets.oauth2_token())
        except smtplib.SMTPAuthenticationError:
            # The token may have expired since the command last ran: ask it again, once.
            _xoauth2(smtp, username, self.secrets.oauth2_token())

    def send(self, envelope: Envelope) -> str:
        """Deliver once; the server's final reply (with its queue id) is returned."""
        for attempt in (1, 2):
            if self._smtp is None:
                self._smtp = self._connect()
            try:
                return self._transaction(self._smtp, envelope)
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                # A kept-open connection may have timed out at the server: one new one.
                self.close()
                if attempt == 2:
                    raise TransportDown(f"connection lost: {exc}") from exc
        raise AssertionError("unreachable")

    def _transaction(self, smtp: smtplib.SMTP, envelope: Envelope) -> str:
        try:
            return self._deliver(smtp, envelope)
        except smtplib.SMTPResponseException as exc:
            # An unexpected reply, e.g. to the DATA command itself (SMTPDataError).
            self._reset(smtp)
            raise _failure(exc.smtp_code, exc.smtp_error) from exc
        except (PermanentSendError, TransientSendError):
            self._reset(smtp)
            raise

    def _deliver(self, smtp: smtplib.SMTP, envelope: Envelope) -> str:
        options: list[str] = []
        if not all(a.isascii() for a in (envelope.mail_from, *envelope.recipients)):
            if not smtp.has_extn("smtputf8"):
                raise PermanentSendError(
                    "an address is not ASCII and the server does not offer SMTPUTF8"
                )
            options.append("SMTPUTF8")
        # mail(), rcpt() and data(): smtplib's own commands, quoting and dot-stuffing.
        code, message = smtp.mail(envelope.mail_from, options)
        if code != 250:
            raise _failure(code, message)
        refused: dict[str, str] = {}
        worst = 0
        for recipient in envelope.recipients:
            code, message = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = _reply(code, message)
                worst = max(worst, code)
        if len(refused) == len(envelope.recipients):
            raise _failure(worst, "; ".join(f"{r}: {m}" for r, m in refused.items()))
        code, message = smtp.data(envelope.raw)
        if code != 250:
            raise _failure(code, message)
        reply = _reply(code, message)
        if refused:
            # Sent to the others; a resend would duplicate it for them, so it stays sent.
            log.warning("outbox %s: some recipients refused", envelope.message_id)
            reply += " (refused: " + "; ".join(f"{r}: {m}" for r, m in refused.items()) + ")"
        return reply

    def _reset(self, smtp: smtplib.SMTP) -> None:
        """Make the session ready for the next message, or drop it (a server that said
        421, or closed after a refusal, is reconnected to next time) keeping the reply."""
        try:
            code, _ = smtp.rset()
        except (smtplib.SMTPException, OSError):
            code = 0
        if code != 250:
            smtp.close()
            if self._smtp is smtp:
                self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None
