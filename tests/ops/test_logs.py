"""Log lines: journald priorities, JSON for shippers, and no address above DEBUG."""

from __future__ import annotations

import io
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from onboardd.daemon import logs
from tests.conftest import SAMPLES


def emit(fmt: str, monkeypatch: pytest.MonkeyPatch, *, journal: bool = False) -> str:
    if journal:
        monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    else:
        monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    out = io.StringIO()
    log = logging.getLogger(f"onboardd.test.{fmt}.{journal}")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(logs.make_handler(fmt, out))
    log.debug("hidden at INFO")
    log.info("message %s processed ONB-2026-0001", "0123456789ab")
    log.warning("reply to %s held back", "jane.doe@acmehealth.example.com")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("job digest failed")
    return out.getvalue()


def test_journald_lines_carry_the_syslog_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = emit("text", monkeypatch, journal=True).splitlines()
    assert lines[0].startswith("<6>INFO onboardd.test.")
    assert lines[0].endswith(": message 0123456789ab processed ONB-2026-0001")
    assert lines[1].startswith("<4>WARNING ") and lines[1].endswith("reply to <address> held back")
    assert lines[2].startswith("<3>ERROR ") and lines[2].endswith("job digest failed")
    assert all(line.startswith("<3>") for line in lines[3:])  # the traceback keeps its priority
    assert "hidden" not in "\n".join(lines)


def test_plain_text_outside_systemd(monkeypatch: pytest.MonkeyPatch) -> None:
    first = emit("text", monkeypatch).splitlines()[0]
    assert first == "INFO onboardd.test.text.False: message 0123456789ab processed ONB-2026-0001"


def test_json_one_object_a_line(monkeypatch: pytest.MonkeyPatch) -> None:
    items = [json.loads(line) for line in emit("json", monkeypatch).splitlines()]
    assert [i["level"] for i in items] == ["info", "warning", "error"]
    assert items[0]["logger"] == "onboardd.test.json.False"
    assert items[0]["message"] == "message 0123456789ab processed ONB-2026-0001"
    assert items[1]["message"] == "reply to <address> held back"
    assert "ValueError: boom" in items[2]["exception"]
    assert items[0]["ts"].endswith("+00:00")


def test_addresses_are_kept_at_debug() -> None:
    out = io.StringIO()
    log = logging.getLogger("onboardd.test.debug")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    log.addHandler(logs.make_handler("text", out))
    log.debug("lead %s", "jira.lead@cms.example.gov")
    assert "jira.lead@cms.example.gov" in out.getvalue()


def test_the_cli_logs_json_lines_with_log_format_json(example_config: Path) -> None:
    new = example_config.parent / "var/mail/onboarding/new"
    new.mkdir(parents=True)
    for sample in sorted(SAMPLES.glob("*.eml")):
        shutil.copy(sample, new / sample.name)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "onboardd.daemon.cli", "--config", str(example_config)),
            *("--log-format", "json", "run", "--once"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    items = [json.loads(line) for line in done.stderr.splitlines()]
    assert len(items) >= 4
    assert {i["level"] for i in items} <= {"info", "warning"}
    assert any("request-created ONB-" in i["message"] for i in items)
    assert "@" not in done.stderr  # no address at INFO
