"""Drive a configured onboardd in a temporary directory through its CLI, in-process."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from onboardd.daemon.cli import main
from tests.mailkit import Maildir, Sent, read_outbox


@dataclass
class Daemon:
    """A configured onboardd in a temporary directory, driven through its CLI."""

    config: Path
    maildir: Maildir
    outbox: Path
    capsys: pytest.CaptureFixture[str]
    store_url: str = ""  # empty: the config's own (SQLite in var/)

    @property
    def on_sqlite(self) -> bool:
        return not self.store_url or self.store_url.startswith("sqlite")

    def use_store(self, url: str) -> None:
        """Point the config at `url` instead of its SQLite default."""
        self.store_url = url
        if not self.on_sqlite:
            self.configure('url = "sqlite:///var/onboardd.db"', f'url = "{url}"')

    def run(self, *args: str) -> int:
        return main(["--config", str(self.config), *args])

    def run_once(self) -> None:
        assert self.run("run", "--once") == 0
        self.capsys.readouterr()

    def sent(self) -> list[Sent]:
        return read_outbox(self.outbox)

    def export(self) -> list[dict[str, Any]]:
        self.capsys.readouterr()
        assert self.run("requests", "export", "--format", "json") == 0
        return json.loads(self.capsys.readouterr().out)

    def sent_since(self, count: int) -> list[Sent]:
        return self.sent()[count:]

    def configure(self, old: str, new: str) -> None:
        text = self.config.read_text()
        assert old in text, old
        self.config.write_text(text.replace(old, new))

    def request(self) -> dict[str, Any]:
        [item] = self.export()
        return item
