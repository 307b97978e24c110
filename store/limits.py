"""Text longer than its column is cut to the declared length before it is written.

SQLite ignores VARCHAR lengths; PostgreSQL refuses the whole row, which would leave a
mail with an absurdly long organization name or address unprocessable for ever (and
stop every pass at it). Cutting on both stores keeps the stored data the same whichever
database holds it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import String, event
from sqlalchemy.orm import Mapper


def _clip(mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    # The models name each attribute after its column, so the table's lengths apply.
    keys = [key for key, _length in _lengths(mapper.local_table)]
    values = clipped(mapper.local_table, {key: getattr(target, key) for key in keys})
    for key in keys:
        if values[key] is not getattr(target, key):
            setattr(target, key, values[key])


def clip_to_column_lengths(base: type) -> None:
    """Every mapped class under `base` has its string values cut to fit when flushed."""
    event.listen(base, "before_insert", _clip, propagate=True)
    event.listen(base, "before_update", _clip, propagate=True)


@cache
def _lengths(table: Any) -> tuple[tuple[str, int], ...]:
    """(column, declared length) of each length-limited string column of `table`."""
    return tuple(
        (column.key, column.type.length)
        for column in table.columns
        if isinstance(column.type, String) and column.type.length
    )


def clipped(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    """`row` with each string cut to its column's length: the one rule, which a flush
    applies to the models and the store's Core statements and lookups apply by calling it."""
    for key, length in _lengths(table):
        value = row.get(key)
        if isinstance(value, str) and len(value) > length:
            row[key] = value[:length]
    return row
