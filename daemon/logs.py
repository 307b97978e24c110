"""Log lines on stderr: journald-friendly text, or one JSON object a line for shippers.

Under systemd (JOURNAL_STREAM set) each text line starts with its syslog priority
("<3>"), so `journalctl -p warning` filters properly; timestamps are left to journald.
Bodies never reach a log call; addresses are logged only at DEBUG, and a filter masks
any that slip into a line above DEBUG.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

FORMATS = ("text", "json")

_PRIORITY = {
    logging.DEBUG: 7,
    logging.INFO: 6,
    logging.WARNING: 4,
    logging.ERROR: 3,
    logging.CRITICAL: 2,
}
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _priority(level: int) -> int:
    for threshold in (logging.CRITICAL, logging.ERROR, logging.WARNING, logging.INFO):
        if level >= threshold:
            return _PRIORITY[threshold]
    return _PRIORITY[logging.DEBUG]


class AddressMask(logging.Filter):
    """Above DEBUG, replace anything shaped like an email address with '<address>'."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG:
            message = record.getMessage()
            masked = _ADDRESS.sub("<address>", message)
            if masked != message:
                record.msg, record.args = masked, None
        return True


class JournalFormatter(logging.Formatter):
    """`<priority>LEVEL logger: message`, tracebacks indented on the following lines."""

    def __init__(self, prefix: bool) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self.prefix = prefix

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if not self.prefix:
            return text
        # journald splits on newlines; give every line the record's priority.
        mark = f"<{_priority(record.levelno)}>"
        return "\n".join(mark + line for line in text.splitlines())


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, message, and exception when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        item: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_info:
            item["exception"] = self.formatException(record.exc_info)
        return json.dumps(item, ensure_ascii=False)


class _OurHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Marks the handler this module installed, so a second setup replaces only it."""


def make_handler(fmt: str, stream: TextIO) -> logging.Handler:
    """A stderr handler in `fmt`, with the address mask."""
    handler = _OurHandler(stream)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(JournalFormatter(prefix=bool(os.environ.get("JOURNAL_STREAM"))))
    handler.addFilter(AddressMask())
    return handler


def setup(verbose: bool = False, fmt: str = "text", stream: TextIO | None = None) -> None:
    """Configure the root logger for this process; calling it again replaces our handler.

    Like logging.basicConfig, it leaves a root logger that someone else already set up
    (a test runner capturing logs, an embedding program) alone.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
    if root.handlers:
        return
    root.addHandler(make_handler(fmt, stream or sys.stderr))
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # mail-parser logs every MIME oddity it meets; our own quarantine records matter.
    logging.getLogger("mailparser").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("schedule").setLevel(logging.WARNING)
