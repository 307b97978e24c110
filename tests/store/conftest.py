"""What the store tests share: an engine on each store, its schema at the newest migration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from onboardd.store.engine import make_engine, upgrade


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    built = make_engine(store_url)
    upgrade(built)
    yield built
    built.dispose()
