"""The automatic answers of the last hour, counted for the global reply budget.

The gate holds every answer back once `limits.replies_per_hour` went out in the last
hour. Counting the outbox for each mail would cost a scan of the hour's rows per mail
in a backlog, so the count is kept here: read from the outbox once, on the first mail
a process decides, then kept up to date with what each mail queues. Each process keeps
its own, so with several instances on one database each caps its own flood.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from onboardd.responders.gate import ANSWER_KINDS
from onboardd.store import queries

WINDOW = timedelta(hours=1)


class AnswerWindow:
    """Times of the answers queued in the last hour, oldest first."""

    def __init__(self) -> None:
        self._times: deque[datetime] | None = None
        self._lock = threading.Lock()

    def count(self, session: Session, now: datetime) -> int:
        with self._lock:
            if self._times is None:
                since = now - WINDOW
                self._times = deque(sorted(queries.created_since(session, since, ANSWER_KINDS)))
            while self._times and self._times[0] <= now - WINDOW:
                self._times.popleft()
            return len(self._times)

    def add(self, now: datetime, answers: int) -> None:
        with self._lock:
            if self._times is not None:
                self._times.extend([now] * answers)
