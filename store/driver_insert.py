"""The per-mail INSERTs, compiled once and run as the driver's own SQL.

Core's execute() does the same work again for every mail's rows: it looks the statement
up in its compiled cache, builds an execution context, and finds each value's type
processor by name (~15 us a statement, and a mail writes ~8). Here an INSERT is compiled
once per table, dialect and set of columns, with its bind processors and the Python-side
defaults of the columns a row leaves out, and a row becomes the driver's parameters in
the compiled order. Connection.exec_driver_sql runs it, so the connection's events
(write turns, group commits) still apply and a driver error is still raised as
SQLAlchemy's IntegrityError or DBAPIError, which the ingest tells apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.schema import ColumnDefault

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class Compiled:
    """An INSERT ready for the driver: its SQL and how to turn a row into parameters."""

    sql: str
    names: tuple[str, ...]  # every parameter, in the order a positional driver takes them
    processors: tuple[Processor | None, ...]
    # For a parameter the row leaves out: its column's Python-side default.
    defaults: tuple[tuple[str, Callable[[], Any]], ...]
    positional: bool

    def parameters(self, row: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        if self.defaults:
            row = {**{name: make() for name, make in self.defaults}, **row}
        values = [
            row[name] if process is None else process(row[name])
            for name, process in zip(self.names, self.processors, strict=True)
        ]
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT `rows`, which all name the same columns, in one driver call."""
    compiled = compile_insert(table, connection.dialect, tuple(rows[0]), returning=False)
    connection.exec_driver_sql(compiled.sql, [compiled.parameters(row) for row in rows])


def insert_returning_id(connection: Connection, table: Table, row: dict[str, Any]) -> int:
    """INSERT one row; the id the database gave it."""
    compiled = compile_insert(table, connection.dialect, tuple(row), returning=True)
    new_id = connection.exec_driver_sql(compiled.sql, compiled.parameters(row)).scalar()
    assert isinstance(new_id, int)
    return new_id


@cache
def compile_insert(
    table: Table, dialect: Dialect, keys: tuple[str, ...], *, returning: bool
) -> Compiled:
    """The INSERT of these columns, as Core would compile and run it on this dialect.

    Raises ValueError for what it does not reproduce (a default that is not a plain
    value or function, a parameter name the driver needs escaped): the models have none.
    """
    statement = insert(table)
    if returning:
        statement = statement.returning(table.c.id)
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    if compiled.escaped_bind_names:
        raise ValueError(f"{table.name}: a parameter name needs escaping")
    binds = {name: bind for bind, name in compiled.bind_names.items()}
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(binds)
    defaults = []
    for column in compiled.insert_prefetch:
        default = column.default
        if not isinstance(default, ColumnDefault) or not (
            default.is_scalar or default.is_callable
        ):
            raise ValueError(f"{table.name}.{column.key}: a default this cannot compute")
        defaults.append((column.key, _maker(default)))
    processors = tuple(
        binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    return Compiled(str(compiled), names, processors, tuple(defaults), compiled.positional)


def _maker(default: ColumnDefault) -> Callable[[], Any]:
    if default.is_scalar:
        value = default.arg
        return lambda: value
    # SQLAlchemy wraps a default function to take the execution context; ours take none.
    function = default.arg
    return lambda: function(None)
