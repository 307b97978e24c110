"""Open the database: SQLite pragmas and file mode, sessions, and schema upgrades."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from onboardd.store.write_turns import TurnTakingConnection

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# PostgreSQL advisory lock key held while migrating ("onbd" in ASCII, then 1).
SCHEMA_LOCK = 0x6F6E6264_00000001
# How long a SQLite writer waits for another before "database is locked".
BUSY_TIMEOUT_SECONDS = 30
log = logging.getLogger("onboardd.store")

# The execution option that makes a transaction a group commit (see transaction()).
GROUP_COMMIT = "onboardd_group_commit"


class StoreError(Exception):
    """The database cannot be opened or upgraded; the message is for the admin."""


def _prepare_sqlite_file(url: str) -> None:
    """Create the database file 0600 before SQLite does (it would use the umask)."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    path = Path(database)
    if not path.parent.is_dir():
        # Never made unasked: a mistyped URL would quietly start an empty database.
        raise StoreError(
            f"the database's folder {path.parent} does not exist (create it, or run "
            "onboardd init)"
        )
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so BEGIN covers DDL too and so a
        # writer takes its lock at BEGIN, not at its first write (no upgrade deadlocks).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        (mode,) = cursor.execute("PRAGMA journal_mode=WAL").fetchone()
        # FULL: what a commit wrote survives power loss once the commit returns. Group
        # commits (transaction(group_commit=True)) relax this for themselves only.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.close()
        dbapi_connection.in_wal = str(mode).lower() == "wal"

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        dbapi_connection.sync_at_commit(
            not connection.get_execution_options().get(GROUP_COMMIT, False)
        )
        # Threads of this process queue for their turn first (store/write_turns.py).
        try:
            dbapi_connection.take_turn(BUSY_TIMEOUT_SECONDS)
        except sqlite3.OperationalError as exc:
            # What SQLite's own busy timeout raises, wrapped as SQLAlchemy wraps it.
            raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            dbapi_connection.give_turn_back()
            raise


def make_engine(url: str) -> Engine:
    """An engine for the configured URL, with the SQLite or PostgreSQL set-up it needs."""
    try:
        if url.startswith("sqlite"):
            _prepare_sqlite_file(url)
            engine = create_engine(url, connect_args={"factory": TurnTakingConnection})
            _sqlite_pragmas(engine)
        elif url.startswith("postgresql"):
            engine = _postgresql_engine(url)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, OSError, ImportError) as exc:
        raise StoreError(f"cannot open the database {_safe(url)}: {describe(exc)}") from exc
    return engine


def _postgresql_engine(url: str) -> Engine:
    try:  # psycopg is an extra, imported only by those who use PostgreSQL
        from onboardd.store import postgres
    except ImportError as exc:
        raise StoreError("PostgreSQL needs the psycopg driver: "
                         "pip install 'onboardd[postgresql]'") from exc

    parsed = make_url(url)
    if parsed.drivername == "postgresql":  # SQLAlchemy would pick psycopg2 for a bare name
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed, pool_pre_ping=True, connect_args=postgres.connect_args(parsed))
    if engine.dialect.driver == "psycopg":
        postgres.prepare(engine)
    return engine


def describe(exc: BaseException) -> str:
    """One line for the admin: the driver's own first line, without the SQL or links."""
    original = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    return lines[0] if lines else type(original).__name__


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Bring the schema to the newest migration (idempotent); the revisions before and
    after (None before the first)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot connect to {_safe(str(engine.url))}: {describe(exc)}") from exc
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Instances starting together take turns; the later ones find nothing to do.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
            config.attributes["connection"] = connection
            before = MigrationContext.configure(connection).get_current_revision()
            command.upgrade(config, "head")
            after = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot upgrade the database {_safe(str(engine.url))}: {describe(exc)}"
        ) from exc
    return before, after


def current_revision(engine: Engine) -> str | None:
    """The schema's revision, None for a database no migration has touched."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot connect to {_safe(str(engine.url))}: {describe(exc)}") from exc


def migrations_between(before: str | None, after: str | None) -> list[str]:
    """The migrations an upgrade from `before` to `after` applied, oldest first, each as
    "revision (its title)"."""
    if after is None or before == after:
        return []
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    applied = list(scripts.iterate_revisions(after, before or "base"))
    return [f"{script.revision} ({(script.doc or '').strip()})" for script in reversed(applied)]


def upgrade_database(url: str) -> tuple[str | None, str | None, list[str]]:
    """Upgrade the database at `url` with an engine of its own: its revisions before and
    after, and the migrations that applied (none when it was up to date)."""
    engine = make_engine(url)
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    return before, after, migrations_between(before, after)


def database_file(engine: Engine) -> Path | None:
    """The SQLite database's file, None for an in-memory one or another database."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_durable(engine: Engine) -> None:
    """Every commit made so far on this database survives a power loss from now on.

    On SQLite in WAL mode that is an fsync of the WAL file, which holds every commit not
    yet checkpointed into the database file (checkpoints sync what they copy), and of
    its directory, in case the WAL was just created. Run before anything outside the
    database acts on a group commit; a no-op on other databases.
    """
    database = database_file(engine)
    if database is None:
        return
    wal = Path(f"{database}-wal")
    for path in (wal, wal.parent):
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            if not database.exists():
                # Not a WAL that is missing but the database itself: this path is not the
                # file SQLite writes, and skipping the sync would go unnoticed.
                raise StoreError(f"cannot sync {database}: no such database file") from None
            return  # no WAL: every commit is in the database file, synced as it was copied
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def checkpoint(engine: Engine) -> None:
    """Copy what the WAL holds into the database file, as far as readers allow.

    Group commits turn SQLite's automatic checkpoint off for themselves (see
    TurnTakingConnection.sync_at_commit), so the drain calls this once a move batch is
    durable: one copy and two fsyncs a batch, not a pause inside whichever mail's commit
    crossed SQLite's threshold. PASSIVE neither waits for readers nor blocks writers.
    A checkpoint that fails loses nothing (the WAL keeps every commit); it is logged and
    the next one copies what this one left. A no-op on other databases.
    """
    database = database_file(engine)
    if database is None:
        return
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        cursor.close()
    except sqlite3.Error as exc:
        log.warning("WAL checkpoint of %s failed (its commits stay in the WAL): %s",
                    database, exc)
    finally:
        connection.close()


def database_of(session: Session) -> Engine:
    """The database `session` works on, for make_durable() once its transaction ends."""
    database = session.get_bind()
    assert isinstance(database, Engine)  # the factories here bind their sessions to one
    return database


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session], *, group_commit: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    With group_commit=True the commit need not be on disk when it returns, only once
    make_durable() has run: for a caller that runs it before anything outside the
    database acts on the commit (a mail moved, a reply sent). On SQLite a commit at
    synchronous=FULL waits for an fsync of the WAL; a group commit runs at NORMAL, which
    in WAL mode survives the process's death but not the machine's until the WAL is
    synced (https://www.sqlite.org/pragma.html#pragma_synchronous), so one fsync serves
    many commits. Other databases commit durably either way.
    """
    with factory() as session, session.begin():
        if group_commit:
            # Read by the SQLite "begin" listener, before the transaction's BEGIN.
            session.connection(execution_options={GROUP_COMMIT: True})
        yield session
