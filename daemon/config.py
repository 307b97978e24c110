"""Load the TOML config into one frozen, validated object; errors name the key at fault."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from onboardd.daemon.secrets import SecretError, SecretSource
from onboardd.responders.policy import (
    ContractPolicy,
    CorPolicy,
    Email,
    Limits,
    Organization,
    Policy,
    Reminders,
    Service,
    SurveyPolicy,
    TrustPolicy,
)


class ConfigError(Exception):
    """The config cannot be used; `problems` holds one "key: what is wrong" line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(_Section):
    url: str = "sqlite:///var/onboardd.db"

    @field_validator("url")
    @classmethod
    def _supported_and_without_password(cls, url: str) -> str:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ValueError("not a database URL: sqlite:///PATH or postgresql://...") from None
        if parsed.get_backend_name() == "postgres":
            raise ValueError("write postgresql:// (or postgresql+psycopg://), not postgres://")
        if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError("only sqlite and postgresql databases are supported")
        if parsed.password is not None or "password" in parsed.query:
            raise ValueError(
                "a password in the URL is not allowed; give it to libpq in a password "
                "file (PGPASSFILE) or a service file (PGSERVICEFILE)"
            )
        return url


class _Secrets(_Section):
    username: str = ""
    password_file: Path | None = None
    password_command: str | None = None
    password_env: str | None = None
    password_credential: str | None = None
    oauth2_token_command: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_literal_password(cls, data: object) -> object:
        if isinstance(data, dict) and "password" in data:
            raise ValueError(
                "a literal password is not allowed in the config; use password_file, "
                "password_command, password_env or password_credential"
            )
        return data


class MaildirMailbox(_Section):
    kind: Literal["maildir"]
    name: str = Field(min_length=1)
    address: Email
    path: Path
    backlog_days: int = Field(default=7, ge=0)
    plus_addressing: bool = True
    # A mistyped path must not quietly become a new, empty mailbox nobody delivers to.
    create: bool = False


class _Server(_Secrets):
    """A network peer: TLS with certificate checks unless explicitly allowed otherwise."""

    tls: Literal["implicit", "starttls", "none"]
    ca_file: Path | None = None
    allow_insecure: bool = False

    @model_validator(mode="after")
    def _tls_none_needs_insecure(self) -> _Server:
        if self.tls == "none" and not self.allow_insecure:
            raise ValueError('tls = "none" needs allow_insecure = true (loopback tests only)')
        return self


class ImapMailbox(_Server):
    kind: Literal["imap"]
    name: str = Field(min_length=1)
    address: Email
    host: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)
    tls: Literal["implicit", "starttls", "none"] = "implicit"
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    idle: bool = True
    poll_seconds: int = Field(default=60, ge=1)
    backlog_days: int = Field(default=7, ge=0)
    plus_addressing: bool = True


Mailbox = Annotated[MaildirMailbox | ImapMailbox, Field(discriminator="kind")]


class FileTransport(_Section):
    kind: Literal["file"]
    path: Path


class SmtpTransport(_Server):
    kind: Literal["smtp"]
    host: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)
    tls: Literal["implicit", "starttls", "none"] = "starttls"


Transport = Annotated[FileTransport | SmtpTransport, Field(discriminator="kind")]


class DigestConfig(_Section):
    recipients: tuple[Email, ...] = ()
    at: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "UTC"

    @model_validator(mode="after")
    def _known_timezone(self) -> DigestConfig:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        import pytz

        try:
            ZoneInfo(self.timezone)
            pytz.timezone(self.timezone)  # the scheduler's zones come from pytz
        except (ZoneInfoNotFoundError, ValueError, pytz.UnknownTimeZoneError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        return self


class RetentionConfig(_Section):
    raw_days: int = Field(default=90, ge=1)
    request_days: int = Field(default=2555, ge=1)


class Config(_Section):
    """The whole config file, validated."""

    source: Path = Path("config.toml")
    store: StoreConfig = StoreConfig()
    mailboxes: tuple[Mailbox, ...] = Field(min_length=1)
    transport: Transport
    cor: CorPolicy = CorPolicy()
    trust: TrustPolicy = TrustPolicy()
    services: tuple[Service, ...] = Field(min_length=1)
    organizations: tuple[Organization, ...] = ()
    digest: DigestConfig = DigestConfig()
    reminders: Reminders = Reminders()
    limits: Limits = Limits()
    retention: RetentionConfig = RetentionConfig()
    survey: SurveyPolicy = SurveyPolicy()
    contracts: ContractPolicy = ContractPolicy()

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        names = [m.name for m in self.mailboxes]
        if len(set(names)) != len(names):
            raise ValueError("mailboxes: two mailboxes share a name")
        services = [s.name.casefold() for s in self.services]
        if len(set(services)) != len(services):
            raise ValueError("services: two services share a name")
        return self

    @property
    def policy(self) -> Policy:
        return Policy(
            services=self.services,
            organizations=self.organizations,
            cor=self.cor,
            trust=self.trust,
            reminders=self.reminders,
            limits=self.limits,
            survey=self.survey,
            contracts=self.contracts,
            own_addresses=frozenset(m.address for m in self.mailboxes),
            help_address=self.mailboxes[0].address,
        )


_PATH_KEYS = {"path", "password_file", "ca_file"}


def _resolve_paths(node: object, base: Path) -> object:
    """Make every path key, and a relative sqlite URL, relative to the config file."""
    if isinstance(node, dict):
        out: dict[str, object] = {}
        for key, value in node.items():
            if key in _PATH_KEYS and isinstance(value, str):
                out[key] = str((base / value).resolve()) if value else value
            else:
                out[key] = _resolve_paths(value, base)
        return out
    if isinstance(node, list):
        return [_resolve_paths(item, base) for item in node]
    return node


def _resolve_store_url(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        relative = url[len(prefix) :]
        if relative and relative != ":memory:":
            return prefix + str((base / relative).resolve())
    return url


def _describe(error: Mapping[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ()) if not str(part).startswith("function-")]
    # Discriminated unions put the kind into the location ("mailboxes.0.maildir.path").
    loc = [part for part in loc if part not in {"maildir", "imap", "file", "smtp"}]
    key = ".".join(loc) or "(top level)"
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        message = "unknown key"
    elif error.get("type") == "missing":
        message = "required key is missing"
    return f"{key}: {message}"


def load_config(path: Path) -> Config:
    """Read and validate the config file; raise ConfigError listing every problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read the config file ({exc.strerror})"]) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: not valid TOML ({exc})"]) from exc
    base = path.resolve().parent
    resolved = _resolve_paths(data, base)
    assert isinstance(resolved, dict)
    data = resolved
    # The default URL is relative too: to the config's folder, never to the cwd.
    store = data.setdefault("store", {})
    if isinstance(store, dict):
        store.setdefault("url", StoreConfig.model_fields["url"].default)
        if isinstance(store["url"], str):
            store["url"] = _resolve_store_url(store["url"], base)
    try:
        config = Config.model_validate({**data, "source": path.resolve()})
    except ValidationError as exc:
        errors = exc.errors()
        # A list whose items failed is also "too short" to pydantic: say the item's
        # problem only, not a second line claiming the list is empty.
        failed_lists = {e["loc"][0] for e in errors if len(e["loc"]) > 1}
        raise ConfigError([
            _describe(dict(e)) for e in errors
            if not (e["type"] == "too_short" and tuple(e["loc"]) in {(k,) for k in failed_lists})
        ]) from exc
    problems = _check_paths(config)
    if problems:
        raise ConfigError(problems)
    return config


def _check_paths(config: Config) -> list[str]:
    problems = []
    for index, mailbox in enumerate(config.mailboxes):
        if isinstance(mailbox, MaildirMailbox) and _exists_not_dir(mailbox.path):
            problems.append(f"mailboxes.{index}.path: {mailbox.path} is not a directory")
        if isinstance(mailbox, ImapMailbox):
            problems += _check_secrets(f"mailboxes.{index}", mailbox)
    transport = config.transport
    if isinstance(transport, SmtpTransport):
        problems += _check_secrets("transport", transport)
    if isinstance(transport, FileTransport) and _exists_not_dir(transport.path):
        problems.append(f"transport.path: {transport.path} is not a directory")
    if config.store.url.startswith("sqlite:///"):
        parent = Path(config.store.url.removeprefix("sqlite:///")).parent
        ancestor = next((p for p in (parent, *parent.parents) if p.exists()), None)
        if ancestor is not None and not ancestor.is_dir():
            problems.append(f"store.url: {ancestor} is not a directory")
    return problems


def _check_secrets(key: str, server: _Secrets) -> list[str]:
    """What a login would find wrong with where its secret comes from, said now rather
    than as a deferred send or a failed login after the service started."""
    problems = []
    for name, path in (("password_file", server.password_file),):
        if path is None:
            continue
        if not path.exists():
            problems.append(f"{key}.{name}: {path} does not exist")
        elif not path.is_file():
            problems.append(f"{key}.{name}: {path} is not a file")
        elif not os.access(path, os.R_OK):
            problems.append(f"{key}.{name}: {path} is not readable by this user")
    for name, command in (("password_command", server.password_command),
                          ("oauth2_token_command", server.oauth2_token_command)):
        if command is None:
            continue
        try:
            program = shlex.split(command)[0] if command.strip() else None
        except ValueError:  # unbalanced quotes
            program = None
        if program is None or shutil.which(program) is None:
            problems.append(f"{key}.{name}: {program or '(empty)'} is not a program "
                            "this user can run")
    if server.password_credential is not None:
        directory = os.environ.get("CREDENTIALS_DIRECTORY")
        if directory is not None and not directory:
            problems.append(f"{key}.password_credential: CREDENTIALS_DIRECTORY is empty")
        elif directory and not (Path(directory) / server.password_credential).is_file():
            problems.append(f"{key}.password_credential: {server.password_credential} is "
                            f"not among the credentials in {directory}")
    return problems


def _exists_not_dir(path: Path) -> bool:
    return path.exists() and not path.is_dir()


def readiness_problems(config: Config) -> list[str]:
    """What a start would trip over that reading the config cannot see: secrets that
    cannot be had, folders that are missing or read-only. check-config asks this; the
    other commands do not, so looking at requests never runs a password command."""
    problems: list[str] = []
    home = config.source.parent
    for index, mailbox in enumerate(config.mailboxes):
        key = f"mailboxes.{index}"
        if isinstance(mailbox, ImapMailbox):
            problems += _secret_problems(key, SecretSource.of(f"mailbox {mailbox.name}", mailbox))
        elif mailbox.create:
            problems += _writable_problems(f"{key}.path", _nearest_existing(mailbox.path), home)
        elif not mailbox.path.exists():
            problems.append(f"{key}.path: {mailbox.path} does not exist (a typo? set "
                            "create = true on the mailbox, or run onboardd init)")
        elif not all((mailbox.path / sub).is_dir() for sub in ("new", "cur", "tmp")):
            problems.append(f"{key}.path: {mailbox.path} is not a Maildir (no new/, cur/ "
                            "and tmp/; run onboardd init to make one)")
        else:
            problems += _writable_problems(f"{key}.path", mailbox.path, home)
    transport = config.transport
    if isinstance(transport, SmtpTransport):
        problems += _secret_problems("transport", SecretSource.of("transport", transport))
    else:
        problems += _writable_problems("transport.path", _nearest_existing(transport.path), home)
    database = sqlite_file(config.store.url)
    if database is not None:
        if not database.parent.is_dir():
            problems.append(f"store.url: the database's folder {database.parent} does not "
                            "exist (create it, or run onboardd init)")
        else:
            target = database if database.exists() else database.parent
            # SQLite in WAL mode writes its -wal and -shm files beside the database.
            problems += _writable_problems("store.url", target, home)
            if target is database:
                problems += _writable_problems("store.url", database.parent, home)
    return problems


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (already absolute after loading), or None."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in {None, "", ":memory:"}:
        return None
    return Path(str(parsed.database))


def _secret_problems(key: str, source: SecretSource) -> list[str]:
    try:
        if source.uses_oauth2:
            source.oauth2_token()
        else:
            source.password()
    except SecretError as exc:
        # The message is "<owner>: <key>: <problem>"; say it as every config problem is.
        return [f"{key}.{str(exc).split(': ', 1)[-1]}"]
    return []


def _nearest_existing(path: Path) -> Path:
    return next((p for p in (path, *path.parents) if p.exists()), Path("/"))


def _writable_problems(key: str, path: Path, home: Path) -> list[str]:
    read_only_mount = False
    with contextlib.suppress(OSError):
        read_only_mount = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    if not read_only_mount and os.access(path, os.W_OK):
        return []
    where = " (relative paths are taken from the config's folder)" if (
        path == home or home in path.parents) else ""
    return [f"{key}: {path} is not writable by this user{where}; under systemd, list it "
            "in ReadWritePaths="]
