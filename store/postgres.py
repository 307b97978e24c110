"""PostgreSQL specifics of the engine: connection defaults, and text the server refuses."""

from __future__ import annotations

from typing import Any

from psycopg.types.string import StrBinaryDumper, StrDumperUnknown
from sqlalchemy import Engine, event
from sqlalchemy.engine import URL

# What a NUL character becomes: PostgreSQL text cannot hold U+0000 (SQLite can), and mail
# does carry it now and then (a stray byte in a header, a broken charset). Refusing the
# row would leave that mail unprocessable for ever; the replacement character keeps the
# rest of the text and shows where something was.
NUL_STANDIN = "\ufffd"


class _TextDumper(StrDumperUnknown):
    def dump(self, obj: str) -> Any:
        return super().dump(obj.replace("\x00", NUL_STANDIN))


class _BinaryTextDumper(StrBinaryDumper):
    def dump(self, obj: str) -> Any:
        return super().dump(obj.replace("\x00", NUL_STANDIN))


def connect_args(url: URL) -> dict[str, Any]:
    """Defaults that the URL's own query parameters override.

    A finite connect_timeout turns an unreachable host into an error within seconds
    rather than the kernel's minutes; application_name shows us in pg_stat_activity.
    """
    defaults: dict[str, Any] = {"connect_timeout": 10, "application_name": "onboardd"}
    return {key: value for key, value in defaults.items() if key not in url.query}


def prepare(engine: Engine) -> None:
    """Register the NUL-tolerant string dumpers on every new psycopg connection."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        adapters = dbapi_connection.adapters
        # The last dumper registered for a type is its default: text format, as psycopg's.
        adapters.register_dumper(str, _BinaryTextDumper)
        adapters.register_dumper(str, _TextDumper)
