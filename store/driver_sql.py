"""The statements every mail runs, compiled once and run as the driver's own SQL.

Each mail inserts the same handful of rows and asks the same few questions (has this key
been seen, what has this sender been sent, which reference is next). Core's execute()
repeats work for each of them that is the same from mail to mail: it looks the statement
up in its compiled cache, builds an execution context and processes every parameter by
name, ~15 us a statement over ~12 a mail. Here a statement is compiled once per dialect
(an INSERT per set of columns too), with its parameters' bind processors and the values
it supplies itself (a literal, a LIMIT, a column's Python-side default), and runs through
Connection.exec_driver_sql, which keeps the connection's events (write turns, group
commits) and raises a driver error as SQLAlchemy's IntegrityError or DBAPIError, which
the ingest tells apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, CursorResult, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.sql.schema import ColumnDefault

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class Compiled:
    """A statement ready for the driver: its SQL and how to turn values into parameters."""

    sql: str
    names: tuple[str, ...]  # every parameter, in the order a positional driver takes them
    processors: tuple[Processor | None, ...]
    # Parameters the caller need not give: the statement's own values, column defaults.
    supplied: tuple[tuple[str, Callable[[], Any]], ...]
    positional: bool

    def parameters(self, given: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        values = {**{name: make() for name, make in self.supplied}, **given}
        converted = [
            values[name] if process is None else process(values[name])
            for name, process in zip(self.names, self.processors, strict=True)
        ]
        if self.positional:
            return tuple(converted)
        return dict(zip(self.names, converted, strict=True))


def execute(
    connection: Connection, statement: ClauseElement, given: Mapping[str, Any]
) -> CursorResult[*tuple[Any, ...]]:
    """Run `statement` with the named values `given`; its rows as the driver returns them."""
    compiled = compile_query(statement, connection.dialect)
    return connection.exec_driver_sql(compiled.sql, compiled.parameters(given))


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
def compile_query(statement: ClauseElement, dialect: Dialect) -> Compiled:
    """A statement whose results need no conversion (numbers and strings come back as
    the driver gives them). Raises ValueError for one whose results do, and for what
    _ready refuses."""
    for column in getattr(statement, "exported_columns", ()):
        if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
            raise ValueError(f"result column {column} needs converting")
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    fixed = [
        (name, _constant(bind.value)) for bind, name in compiled.bind_names.items()
        if not bind.required
    ]
    return _ready(compiled, dialect, fixed)


@cache
def compile_insert(
    table: Table, dialect: Dialect, keys: tuple[str, ...], *, returning: bool
) -> Compiled:
    """The INSERT of these columns, the others filled with their Python-side defaults as
    Core fills them. Raises ValueError for a default that is not a plain value or
    function (the models have none), and for what _ready refuses."""
    statement = insert(table)
    if returning:
        statement = statement.returning(table.c.id)
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    assert isinstance(compiled, SQLCompiler)
    defaults = []
    for column in compiled.insert_prefetch:
        default = column.default
        if not isinstance(default, ColumnDefault) or not (
            default.is_scalar or default.is_callable
        ):
            raise ValueError(f"{table.name}.{column.key}: a default this cannot compute")
        defaults.append((column.key, _default(default)))
    return _ready(compiled, dialect, defaults)


def _ready(
    compiled: SQLCompiler, dialect: Dialect, supplied: list[tuple[str, Callable[[], Any]]]
) -> Compiled:
    """Refuses a list parameter (IN), one rendered into the SQL at run time, or one whose
    name the driver needs escaped."""
    binds = {}
    for bind, name in compiled.bind_names.items():
        if bind.expanding:
            raise ValueError(f"list parameter {name}")
        binds[name] = bind
    if compiled.escaped_bind_names or "POSTCOMPILE" in str(compiled):
        raise ValueError("a parameter the driver cannot take as it is")
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(binds)
    processors = tuple(
        binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    return Compiled(str(compiled), names, processors, tuple(supplied), compiled.positional)


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _default(default: ColumnDefault) -> Callable[[], Any]:
    if default.is_scalar:
        return _constant(default.arg)
    # SQLAlchemy wraps a default function to take the execution context; ours take none.
    function = default.arg
    return lambda: function(None)
