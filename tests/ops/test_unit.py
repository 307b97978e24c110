"""deploy/onboardd.service: systemd accepts it as written, and it asks for what it must."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from tests.conftest import REPO, require

UNIT = REPO / "deploy" / "onboardd.service"
INSTALLED = "/opt/onboardd/venv/bin/onboardd"


def directives() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    section = ""
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        found[f"{section}.{key}"].append(value)
    return found


def test_systemd_analyze_verify_is_clean(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    require(analyze is not None, "systemd-analyze (Debian package systemd) is not installed")
    assert analyze is not None
    # verify checks that ExecStart= exists: point it at this checkout's installed command,
    # as the README's install step puts it under /opt.
    command = Path(sys.executable).with_name("onboardd")
    assert command.exists()
    text = UNIT.read_text()
    assert INSTALLED in text
    unit = tmp_path / "onboardd.service"
    unit.write_text(text.replace(INSTALLED, str(command)))
    done = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    # Unknown keys and bad values are only warnings: none may mention our unit.
    assert "onboardd.service" not in done.stderr, done.stderr


def test_the_unit_asks_for_notify_watchdog_reload_restart_and_a_locked_down_sandbox() -> None:
    d = directives()
    one = {key: values[-1] for key, values in d.items()}
    assert one["Service.Type"] == "notify"
    assert one["Service.ExecStart"].endswith("onboardd run")
    assert one["Service.ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert int(one["Service.WatchdogSec"]) >= 30
    assert one["Service.Restart"] == "on-failure"
    assert one["Service.RestartPreventExitStatus"] == "2"  # a config error stays down
    assert one["Service.DynamicUser"] == "yes" and one["Service.User"] == "onboardd"
    assert one["Service.StateDirectory"] == "onboardd"
    assert {v.split(":")[0] for v in d["Service.LoadCredential"]} == {
        "imap-password",
        "smtp-password",
    }
    for key, value in {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "PrivateDevices": "yes",
        "RestrictSUIDSGID": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert one[f"Service.{key}"] == value, key
    assert one["Install.WantedBy"] == "multi-user.target"
