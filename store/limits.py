"""Text longer than its column is cut to the declared length before it is written.

SQLite ignores VARCHAR lengths; PostgreSQL refuses the whole row, which would leave a
mail with an absurdly long organization name or address unprocessable for ever (and
stop every pass at it). Cutting on both stores keeps the stored data the same whichever
database holds it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import String, Table, event
from sqlalchemy.orm import Mapper


def _clip(mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    for attribute in mapper.column_attrs:
        column_type = attribute.columns[0].type
        length = getattr(column_type, "length", None)
        if not length or not isinstance(column_type, String):
            continue
        value = getattr(target, attribute.key)
        if isinstance(value, str) and len(value) > length:
            setattr(target, attribute.key, value[:length])


def clip_to_column_lengths(base: type) -> None:
    """Every mapped class under `base` has its string values cut to fit when flushed."""
    event.listen(base, "before_insert", _clip, propagate=True)
    event.listen(base, "before_update", _clip, propagate=True)


@cache
def _lengths(table: Table) -> tuple[tuple[str, int], ...]:
    return tuple(
        (column.key, column.type.length)
        for column in table.columns
        if isinstance(column.type, String) and column.type.length
    )


def clipped(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """`row` with its strings cut as a flush would cut them, for a Core INSERT."""
    for key, length in _lengths(table):
        value = row.get(key)
        if isinstance(value, str) and len(value) > length:
            row[key] = value[:length]
    return row
