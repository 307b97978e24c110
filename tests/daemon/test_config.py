"""Config loading: the example runs as it stands; every error names its key, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from onboardd.daemon.cli import main
from onboardd.daemon.config import ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


MINIMAL = """
[[mailboxes]]
name = "onboarding"
address = "onboarding@onboard.example.gov"
kind = "maildir"
path = "mail"

[transport]
kind = "file"
path = "outbox"

[[services]]
name = "Jira"
leads = ["lead@cms.example.gov"]
description = "Tracking"
onboarding = "Ask for the role"
"""


def test_example_config_is_valid(example_config: Path) -> None:
    config = load_config(example_config)
    assert {s.name for s in config.services} >= {"Jira", "Confluence", "Slack", "ServiceNow"}
    assert config.organizations[0].cor == "dana.smith@cms.example.gov"


def test_relative_paths_resolve_against_the_config_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL + '\n[store]\nurl = "sqlite:///state/x.db"\n'))
    assert config.mailboxes[0].path == tmp_path / "mail"
    assert config.store.url == f"sqlite:///{tmp_path}/state/x.db"


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("\n[limits]\nreplies_per_hours = 5\n", "limits.replies_per_hours: unknown key"),
        ('\n[limits]\nreplies_per_sender_hour = "lots"\n', "limits.replies_per_sender_hour:"),
        ('\n[cor]\npolicy = "maybe"\n', "cor.policy:"),
        ('\n[digest]\ntimezone = "Mars/Olympus"\n', "unknown time zone"),
        ('\n[digest]\nat = "25:00"\n', "digest.at:"),
        ('\n[cor]\ndomains = ["not a domain"]\n', "cor.domains.0:"),
    ],
)
def test_bad_values_name_their_key(tmp_path: Path, snippet: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, MINIMAL + snippet))
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


def test_a_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mail").write_text("not a folder")
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, MINIMAL))
    assert caught.value.problems == [f"mailboxes.0.path: {tmp_path / 'mail'} is not a directory"]


def test_literal_password_is_refused_with_where_secrets_go(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        'kind = "maildir"\npath = "mail"',
        'kind = "imap"\nhost = "imap.example.gov"\nusername = "u"\npassword = "hunter2"',
    )
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    message = "\n".join(caught.value.problems)
    assert "password_file" in message
    assert "hunter2" not in message


def test_check_config_prints_one_line_per_error_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, MINIMAL + "\n[limits]\nreplies_per_sender_hour = 0\nbogus = 1\n")
    assert main(["--config", str(path), "check-config"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "onboardd: config: limits.replies_per_sender_hour: "
        "Input should be greater than or equal to 1",
        "onboardd: config: limits.bogus: unknown key",
    ]


def test_missing_config_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "nope.toml"), "check-config"]) == 2
    assert "cannot read the config file" in capsys.readouterr().err


def test_bad_toml_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(write(tmp_path, "[store\n")), "check-config"]) == 2
    assert "not valid TOML" in capsys.readouterr().err


SMTP = '''
[transport]
kind = "smtp"
host = "smtp.example.gov"
username = "u"
'''


def smtp_config(tmp_path: Path, secret: str) -> Path:
    text = MINIMAL.replace('[transport]\nkind = "file"\npath = "outbox"\n', SMTP + secret + "\n")
    return write(tmp_path, text)


@pytest.mark.parametrize(
    ("secret", "prepare", "expected"),
    [
        ('password_file = "smtp-password"', None, "smtp-password does not exist"),
        ('password_file = "smtp-password"', "dir", "smtp-password is not a file"),
        ('password_command = "/nonexistent/print-secret"', None,
         "transport.password_command: /nonexistent/print-secret is not a program"),
        ('password_command = ""', None, "transport.password_command: (empty) is not a program"),
        ('oauth2_token_command = "no-such-token-tool --flag"', None,
         "transport.oauth2_token_command: no-such-token-tool is not a program"),
    ],
)
def test_check_config_names_a_transport_secret_that_a_send_would_miss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secret: str, prepare: str | None,
    expected: str,
) -> None:
    if prepare == "dir":
        (tmp_path / "smtp-password").mkdir()
    path = smtp_config(tmp_path, secret)
    assert main(["--config", str(path), "check-config"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("onboardd: config: transport.") and expected in line


def test_a_credential_with_an_empty_credentials_directory_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = smtp_config(tmp_path, 'password_credential = "smtp-password"')
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", "")
    assert main(["--config", str(path), "check-config"]) == 2
    assert "CREDENTIALS_DIRECTORY is empty" in capsys.readouterr().err
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    assert main(["--config", str(path), "check-config"]) == 2
    assert "is not among the credentials in" in capsys.readouterr().err
    (tmp_path / "smtp-password").write_text("x")
    assert main(["--config", str(path), "check-config"]) == 0


def test_a_mailbox_error_is_one_line_with_no_empty_list_claim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, MINIMAL.replace('kind = "maildir"', 'kind = "maildir"\nbogus = 1'))
    assert main(["--config", str(path), "check-config"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "onboardd: config: mailboxes.0.bogus: unknown key"]


def test_postgres_scheme_names_the_spelling_wanted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, MINIMAL + '\n[store]\nurl = "postgres://db.example.gov/onboardd"\n')
    assert main(["--config", str(path), "check-config"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "postgresql://" in line and line.startswith("onboardd: config: store.url:")


def test_version_and_db_upgrade_say_what_they_did(
    example_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("onboardd ")
    assert main(["--config", str(example_config), "db", "upgrade"]) == 0
    first = capsys.readouterr().out
    assert first.startswith("database upgraded from revision none (a new database) to ")
    assert main(["--config", str(example_config), "db", "upgrade"]) == 0
    assert capsys.readouterr().out.startswith("database is up to date (revision ")
