"""Config loading: the example runs as it stands; every error names its key, exit 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from onboardd.daemon.cli import main
from onboardd.daemon.config import ConfigError, load_config
from onboardd.daemon.maildir import make_maildir


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
    make_maildir(tmp_path / "mail")
    (tmp_path / "var").mkdir()
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
    assert "applied: 0001 (initial schema), 0002 (reply tokens), " in first
    assert "0004 (outbox IDs never reused)" in first
    assert main(["--config", str(example_config), "db", "upgrade"]) == 0
    assert capsys.readouterr().out.startswith("database is up to date (revision ")


def check_config(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["--config", str(path), "check-config"])
    captured = capsys.readouterr()
    return code, (captured.err or captured.out).strip().splitlines()


def ready(tmp_path: Path, text: str = MINIMAL) -> Path:
    """A config whose Maildir and database folder exist, so that only the problem a
    test makes is found."""
    make_maildir(tmp_path / "mail")
    (tmp_path / "var").mkdir(exist_ok=True)
    return write(tmp_path, text)


def test_a_mistyped_maildir_path_is_an_error_and_init_makes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "var").mkdir()
    path = write(tmp_path, MINIMAL)
    assert check_config(path, capsys) == (2, [
        f"onboardd: config: mailboxes.0.path: {tmp_path / 'mail'} does not exist (a typo? "
        "set create = true on the mailbox, or run onboardd init)"])
    (tmp_path / "mail").mkdir()
    code, [line] = check_config(path, capsys)
    assert code == 2 and "is not a Maildir (no new/, cur/ and tmp/" in line
    # The daemon itself does not make it either.
    assert main(["--config", str(path), "run", "--once"]) == 1
    assert "is not a Maildir (set create = true" in capsys.readouterr().err
    assert main(["--config", str(path), "init"]) == 0
    out = capsys.readouterr().out
    assert f"mailbox onboarding: Maildir {tmp_path / 'mail'} created" in out
    assert "database: " in out
    assert (tmp_path / "mail" / ".Quarantine" / "new").is_dir()
    assert check_config(path, capsys)[0] == 0


def test_create_true_lets_the_daemon_make_the_maildir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, MINIMAL.replace('path = "mail"', 'path = "mail"\ncreate = true'))
    (tmp_path / "var").mkdir()
    assert check_config(path, capsys)[0] == 0
    assert main(["--config", str(path), "run", "--once"]) == 0
    assert (tmp_path / "mail" / "new").is_dir()


def test_a_database_folder_that_does_not_exist_is_an_error_never_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = ready(tmp_path, MINIMAL + '\n[store]\nurl = "sqlite:////nonexistent/dir/onboardd.db"\n')
    assert check_config(path, capsys) == (2, [
        "onboardd: config: store.url: the database's folder /nonexistent/dir does not exist "
        "(create it, or run onboardd init)"])
    assert main(["--config", str(path), "run", "--once"]) == 1
    assert "the database's folder /nonexistent/dir does not exist" in capsys.readouterr().err
    assert not Path("/nonexistent").exists()
    # The default relative URL: var/ beside the config, made by init (or `make demo`).
    (tmp_path / "var").rmdir()
    path = write(tmp_path, MINIMAL)
    code, [line] = check_config(path, capsys)
    assert code == 2 and f"{tmp_path / 'var'} does not exist" in line
    assert main(["--config", str(path), "init"]) == 0
    assert f"database folder {tmp_path / 'var'} created" in capsys.readouterr().out
    assert check_config(path, capsys)[0] == 0


def test_reading_commands_on_a_fresh_config_make_no_database(
    example_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = example_config.parent / "var" / "onboardd.db"
    for command in (["requests", "list"], ["outbox", "list"], ["quarantine", "list"],
                    ["requests", "show", "ONB-2026-0001"], ["purge", "--dry-run"]):
        assert main(["--config", str(example_config), *command]) == 1, command
        assert capsys.readouterr().err.strip() == (
            "onboardd: no database yet: onboardd init makes it (so does the first onboardd "
            f"run); looked for {database}")
    assert not database.exists()


@pytest.mark.parametrize(
    ("secret", "environment", "expected"),
    [
        ('password_command = "sh -c \'echo no such entry >&2; exit 3\'"', {},
         "onboardd: config: transport.password_command: exited 3: no such entry"),
        ('password_command = "true"', {},
         "onboardd: config: transport.password_command: printed nothing"),
        ('password_credential = "smtp-password"', {"CREDENTIALS_DIRECTORY": None},
         "onboardd: config: transport.password_credential: $CREDENTIALS_DIRECTORY is not set "
         "(LoadCredential= in the systemd unit sets it)"),
        ('password_env = "ONBOARDD_TEST_UNSET"', {"ONBOARDD_TEST_UNSET": None},
         "onboardd: config: transport.password_env: ONBOARDD_TEST_UNSET is not set"),
    ],
)
def test_check_config_reads_the_secret_a_send_would_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    secret: str, environment: dict[str, str | None], expected: str,
) -> None:
    for name, value in environment.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
    make_maildir(tmp_path / "mail")
    (tmp_path / "var").mkdir()
    path = smtp_config(tmp_path, secret)
    assert check_config(path, capsys) == (2, [expected])
    ok = smtp_config(tmp_path, 'password_command = "echo s3cret"')
    code, [line] = check_config(ok, capsys)
    assert code == 0 and "s3cret" not in line


def test_a_read_only_config_folder_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As under systemd's ProtectSystem: the folder is mounted read-only (root can write
    anywhere else, so as root the test mounts it so in a mount namespace of its own)."""
    make_maildir(tmp_path / "mail")
    (tmp_path / "var").mkdir()
    (tmp_path / "outbox").mkdir()
    path = write(tmp_path, MINIMAL)
    cli = [sys.executable, "-m", "onboardd.daemon.cli", "--config", str(path), "check-config"]
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("running as root without unshare(1): no way to make a folder read-only")
        command = ["unshare", "-m", "sh", "-c",
                   'mount --bind -o ro "$0" "$0" && exec "$@"', str(tmp_path), *cli]
    else:
        for folder in (tmp_path / "mail", tmp_path / "var", tmp_path / "outbox"):
            folder.chmod(0o555)
        command = cli
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if os.geteuid() != 0:
        for folder in (tmp_path / "mail", tmp_path / "var", tmp_path / "outbox"):
            folder.chmod(0o755)
    assert done.returncode == 2, done.stderr
    hint = ("is not writable by this user (relative paths are taken from the config's "
            "folder); under systemd, list it in ReadWritePaths=")
    assert done.stderr.strip().splitlines() == [
        f"onboardd: config: mailboxes.0.path: {tmp_path / 'mail'} {hint}",
        f"onboardd: config: transport.path: {tmp_path / 'outbox'} {hint}",
        f"onboardd: config: store.url: {tmp_path / 'var'} {hint}",
    ]


def test_help_shows_no_internal_text(capsys: pytest.CaptureFixture[str]) -> None:
    commands = [[], ["check-config"], ["init"], ["db", "upgrade"], ["requests", "list"],
                ["requests", "confirm-cor"], ["requests", "withdraw"], ["requests", "reopen"],
                ["outbox", "list"], ["quarantine", "show"], ["quarantine", "retry"],
                ["purge"], ["approve"], ["digest"]]
    for command in commands:
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        text = capsys.readouterr().out
        assert text.startswith("usage: onboardd"), command
        for internal in ("§", "DESIGN", "design.md", "docstring", "return its exit code"):
            assert internal not in text, (command, internal)
