"""Time comes from a clock that the composition root hands in, never from the wall clock directly:
rules about due dates, expiry, weeks and holidays must give the same answer in a test on any
day of the year, and a test must be able to say "it is now Wednesday, 10:00".

    clock = SystemClock()            # production
    clock = TickingClock(start)      # tests: starts at a chosen instant, then moves with real time
    clock = FixedClock(at)           # unit tests: stands still until told to move
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("a clock needs a timezone-aware instant")
    return at.astimezone(UTC)


class FixedClock:
    """Stands still at `at` until `set` or `advance` moves it; safe to share between threads."""

    def __init__(self, at: datetime) -> None:
        self._at = _aware(at)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = _aware(at)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Moves the clock forward (`advance(days=2)`); returns the new instant."""
        step = delta if delta is not None else timedelta(**kwargs)
        with self._lock:
            self._at += step
            return self._at

    def __repr__(self) -> str:
        return f"FixedClock({self._at.isoformat()})"


class TickingClock:
    """Starts at `start` and moves on with real (monotonic) time. For tests where a broker,
    leases and timeouts need time to pass, but the date must be a chosen one. `advance` jumps
    ahead (a proposal's 48 hours, a referral's deadline) without waiting."""

    def __init__(self, start: datetime) -> None:
        self._start = _aware(start)
        self._offset = timedelta(0)
        self._origin = time.monotonic()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._start + self._offset + timedelta(seconds=time.monotonic() - self._origin)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        step = delta if delta is not None else timedelta(**kwargs)
        with self._lock:
            self._offset += step
        return self.now()

    def __repr__(self) -> str:
        return f"TickingClock(start={self._start.isoformat()})"
