"""The import rules of docs/design.md §13, checked on the source: daemon/ runs no SQL of
its own (it takes sessions, engines and errors from SQLAlchemy, and every query from
store/), store/ imports neither daemon nor responders, and parsers/ and responders/
stay pure (no database, no daemon)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# What daemon/ may take from SQLAlchemy: sessions, engines, URLs and errors.
DAEMON_SQLALCHEMY = frozenset({"Session", "sessionmaker", "Engine", "make_url", "DBAPIError",
                               "IntegrityError", "OperationalError", "ArgumentError",
                               "SQLAlchemyError"})


def imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every import in `path`; name "" for `import module`."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
    return found


def sources(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


@pytest.mark.parametrize("path", sources("daemon"), ids=lambda p: p.name)
def test_daemon_takes_no_query_building_from_sqlalchemy(path: Path) -> None:
    for module, name in imports(path):
        if module == "sqlalchemy" or module.startswith("sqlalchemy."):
            assert name in DAEMON_SQLALCHEMY, f"{path.name}: from {module} import {name}"


@pytest.mark.parametrize(("folder", "forbidden"), [
    ("store", ("onboardd.daemon", "onboardd.responders")),
    ("parsers", ("onboardd.daemon", "onboardd.store", "onboardd.responders", "sqlalchemy")),
    ("responders", ("onboardd.daemon", "onboardd.store", "sqlalchemy")),
])
def test_imports_run_one_way(folder: str, forbidden: tuple[str, ...]) -> None:
    for path in sources(folder):
        for module, _ in imports(path):
            assert not module.startswith(forbidden), f"{folder}/{path.name} imports {module}"
