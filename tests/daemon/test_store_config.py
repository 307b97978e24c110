"""store.url: the databases we support, no password in it, and a down server in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from onboardd.daemon.cli import main
from onboardd.daemon.config import ConfigError, load_config
from tests.daemon.test_config import MINIMAL, write


def with_store(tmp_path: Path, url: str) -> Path:
    return write(tmp_path, MINIMAL + f'\n[store]\nurl = "{url}"\n')


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://onboardd@db.example.gov/onboardd",
        "postgresql://onboardd@db.example.gov:6432/onboardd?sslmode=verify-full",
        "postgresql:///onboardd?service=onboardd",
        "sqlite:///var/onboardd.db",
    ],
)
def test_supported_urls_load(tmp_path: Path, url: str) -> None:
    loaded = load_config(with_store(tmp_path, url)).store.url
    assert loaded in {url, f"sqlite:///{tmp_path}/var/onboardd.db"}


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql://onboardd:hunter2@db.example.gov/onboardd", "a password in the URL"),
        ("postgresql://onboardd@db.example.gov/onboardd?password=hunter2", "a password"),
        ("mysql://onboardd@db.example.gov/onboardd", "only sqlite and postgresql"),
        ("not a url", "not a database URL"),
    ],
)
def test_unsupported_urls_name_the_key_and_never_echo_a_password(
    tmp_path: Path, url: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(with_store(tmp_path, url))
    [line] = caught.value.problems
    assert line.startswith("store.url: ") and problem in line
    assert "hunter2" not in line


@pytest.mark.parametrize("command", [["run", "--once"], ["db", "upgrade"], ["requests", "list"]])
def test_an_unreachable_server_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    config = with_store(tmp_path, "postgresql://onboardd@127.0.0.1:1/onboardd")
    capsys.readouterr()
    assert main(["--config", str(config), *command]) == 1
    err = capsys.readouterr().err
    [line] = [text for text in err.splitlines() if text.strip()]
    assert line.startswith("onboardd: database: cannot connect to ")
    assert "127.0.0.1" in line and "Connection refused" in line
