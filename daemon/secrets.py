"""Where passwords and OAuth2 tokens come from: never the config file itself (design §14)."""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path


class SecretError(Exception):
    """A secret could not be read; the message names where we looked, never the value."""


@dataclass(frozen=True)
class SecretSource:
    """The secret keys of one [[mailboxes]] or [transport] section."""

    owner: str  # for messages: "mailbox onboarding", "transport"
    password_file: Path | None = None
    password_command: str | None = None
    password_env: str | None = None
    password_credential: str | None = None
    oauth2_token_command: str | None = None

    @classmethod
    def of(cls, owner: str, section: object) -> SecretSource:
        """The secret keys of a config section ([[mailboxes]] entry or [transport])."""
        return cls(
            owner=owner,
            password_file=getattr(section, "password_file", None),
            password_command=getattr(section, "password_command", None),
            password_env=getattr(section, "password_env", None),
            password_credential=getattr(section, "password_credential", None),
            oauth2_token_command=getattr(section, "oauth2_token_command", None),
        )

    @property
    def uses_oauth2(self) -> bool:
        return self.oauth2_token_command is not None

    def password(self) -> str | None:
        """The password from the first source configured, or None when none is."""
        if self.password_file is not None:
            return _read_file(self.password_file, f"{self.owner}: password_file")
        if self.password_command:
            return _run(self.password_command, f"{self.owner}: password_command")
        if self.password_env:
            value = os.environ.get(self.password_env)
            if value is None:
                raise SecretError(
                    f"{self.owner}: password_env: {self.password_env} is not set"
                )
            return value
        if self.password_credential:
            folder = os.environ.get("CREDENTIALS_DIRECTORY")
            if not folder:
                raise SecretError(
                    f"{self.owner}: password_credential: $CREDENTIALS_DIRECTORY is "
                    f"{'empty' if folder == '' else 'not set'} (LoadCredential= in the "
                    "systemd unit sets it)"
                )
            return _read_file(
                Path(folder) / self.password_credential, f"{self.owner}: password_credential"
            )
        return None

    def oauth2_token(self) -> str:
        """A fresh access token from the token command (run again on every login)."""
        if not self.oauth2_token_command:
            raise SecretError(f"{self.owner}: no oauth2_token_command")
        return _run(self.oauth2_token_command, f"{self.owner}: oauth2_token_command")


def _read_file(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise SecretError(f"{what}: cannot read {path} ({exc.strerror})") from exc


def _run(command: str, what: str) -> str:
    try:
        done = subprocess.run(
            shlex.split(command), capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        raise SecretError(f"{what}: cannot run it ({exc.__class__.__name__})") from exc
    if done.returncode != 0:
        # Its stderr may be useful, its stdout may be the secret: show only stderr's tail.
        hint = done.stderr.strip().splitlines()[-1:] if done.stderr else []
        raise SecretError(f"{what}: exited {done.returncode}" + (f": {hint[0]}" if hint else ""))
    value = done.stdout.strip()
    if not value:
        raise SecretError(f"{what}: printed nothing")
    return value
