"""The automatic answers of the last hour, counted for the global reply budget.

The gate holds every answer back once `limits.replies_per_hour` went out in the last
hour. Counting the outbox for each mail would cost a query over the hour's rows per
mail in a backlog, so the count is kept here: read from the outbox through the store
API, then kept up to date with what each committed mail queued, and read again every
REREAD. The re-read is what lets several instances on one database see each other's
answers, and what corrects the count should it ever stray from the outbox.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from onboardd.responders.gate import ANSWER_KINDS
from onboardd.store import queries

WINDOW = timedelta(hours=1)
REREAD = timedelta(minutes=1)


class AnswerWindow:
    """Times of the answers queued in the last hour, oldest first."""

    def __init__(self) -> None:
        self._times: deque[datetime] = deque()
        self._read_at: datetime | None = None
        self._lock = threading.Lock()

    def count(self, session: Session, now: datetime) -> int:
        with self._lock:
            if self._read_at is None or not self._read_at <= now < self._read_at + REREAD:
                since = now - WINDOW
                self._times = deque(sorted(queries.created_since(session, since, ANSWER_KINDS)))
                self._read_at = now
            while self._times and self._times[0] <= now - WINDOW:
                self._times.popleft()
            return len(self._times)

    def add(self, now: datetime, answers: int) -> None:
        """Answers a mail queued, once its transaction committed them."""
        with self._lock:
            if self._read_at is not None:
                self._times.extend([now] * answers)
