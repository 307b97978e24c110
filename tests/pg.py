"""Throwaway PostgreSQL databases for tests: one fresh database per test, dropped after.

The server is the one CI runs on loopback (127.0.0.1:5432, trust auth); set
ONBOARDD_TEST_PG to a libpq conninfo or URL of another server's maintenance database.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import psycopg
from psycopg import sql

ADMIN = os.environ.get("ONBOARDD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PREFIX = "onboardd_t_"


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(ADMIN, autocommit=True, connect_timeout=3)


@cache
def unreachable() -> str | None:
    """Why the test server cannot be used, or None when it can (asked once per run)."""
    try:
        with _admin() as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL at {_where()} is not reachable ({first})"
    return None


def _where() -> str:
    info = psycopg.conninfo.conninfo_to_dict(ADMIN)
    return f"{info.get('host', 'localhost')}:{info.get('port', 5432)}"


def url_of(database: str) -> str:
    """The SQLAlchemy URL of `database` on the test server (same user, host and port)."""
    info = psycopg.conninfo.conninfo_to_dict(ADMIN)
    user = info.get("user", "postgres")
    return f"postgresql+psycopg://{user}@{_where()}/{database}"


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new empty database on the test server; yields its URL and drops it afterwards."""
    name = PREFIX + secrets.token_hex(6)
    with _admin() as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url_of(name)
    finally:
        with _admin() as connection:
            # FORCE ends sessions an engine of the test still holds in its pool.
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
