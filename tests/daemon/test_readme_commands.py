"""The README's command list and the CLI's --help name the same commands and actions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from onboardd.daemon.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"
# A command or action line of argparse's help: four spaces, the name, its help text.
_LISTED = re.compile(r"^    (?P<name>[a-z][a-z-]*)(?:\s{2,}|\s*$)", re.MULTILINE)


def listed(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    with pytest.raises(SystemExit):
        main([*argv, "--help"])
    out = capsys.readouterr().out
    block = out.split("positional arguments:", 1)[1].split("options:", 1)[0]
    names = [m.group("name") for m in _LISTED.finditer(block)]
    return [n for n in names if n not in {"command", "action"}]


def from_help(capsys: pytest.CaptureFixture[str]) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for command in listed(capsys):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = capsys.readouterr().out
        actions = []
        if "ACTION" in out:
            actions = listed(capsys, command)
        found |= {(command, action) for action in actions} or {(command,)}
    return found


def from_readme() -> set[tuple[str, ...]]:
    text = README.read_text(encoding="utf-8")
    block = text.split("## Using it", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    found: set[tuple[str, ...]] = set()
    for line in block.splitlines():
        if not line.startswith("onboardd --config config.toml "):
            continue
        words = line.split("#", 1)[0].removeprefix("onboardd --config config.toml ")
        first, _, rest = words.partition(" ")
        for command in first.split("|"):
            actions = [alt.split()[0] for alt in f"{rest} ".split(" | ")
                       if alt.split() and re.fullmatch(r"[a-z][a-z-]*", alt.split()[0])]
            found |= {(command, a) for a in actions} if actions and command not in {
                "approve", "deny", "run", "digest", "purge"} else {(command,)}
    return found


def test_the_readme_lists_every_command_and_action_the_cli_has(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli, readme = from_help(capsys), from_readme()
    assert cli - readme == set(), "in --help but not in the README"
    assert readme - cli == set(), "in the README but not in --help"
