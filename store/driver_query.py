"""The per-mail queries, compiled once and run as the driver's own SQL.

Every mail asks the same few questions (has this key been seen, what has this sender
been sent, which reference is next). Core's execute() looks each statement up in its
compiled cache, builds an execution context and processes each parameter by name, work
that is the same for every mail (~15 us a statement). Here a statement is compiled once
per dialect, with its parameters' processors and the values of its fixed parameters
(a literal in a WHERE, a LIMIT), and run through Connection.exec_driver_sql, which keeps
the connection's events and SQLAlchemy's exception types. It takes only statements whose
results need no conversion (numbers and strings come back as the driver gives them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order a positional driver takes them
    processors: tuple[Processor | None, ...]
    fixed: tuple[tuple[str, Any], ...]  # parameters whose value is part of the statement
    positional: bool

    def parameters(self, given: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        values = {**dict(self.fixed), **given}
        converted = [
            values[name] if process is None else process(values[name])
            for name, process in zip(self.names, self.processors, strict=True)
        ]
        if self.positional:
            return tuple(converted)
        return dict(zip(self.names, converted, strict=True))


def execute(
    connection: Connection, statement: Executable, given: Mapping[str, Any]
) -> CursorResult[Any]:
    """Run `statement` with the named values `given`; its rows as the driver returns them."""
    compiled = compile_query(statement, connection.dialect)
    return connection.exec_driver_sql(compiled.sql, compiled.parameters(given))


@cache
def compile_query(statement: Executable, dialect: Dialect) -> Compiled:
    """Raises ValueError for what it does not reproduce: a result column that needs
    converting, a list parameter (IN), a parameter rendered into the SQL at run time, or
    a parameter name the driver needs escaped."""
    for column in getattr(statement, "exported_columns", ()):
        if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
            raise ValueError(f"result column {column} needs converting")
    compiled = statement.compile(dialect=dialect)
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
    fixed = tuple((name, bind.value) for name, bind in binds.items() if not bind.required)
    return Compiled(str(compiled), names, processors, fixed, compiled.positional)
