"""How often one client may send the public volunteer form: moving windows per client address, on
the portal's injected clock. The portal limits the form itself because matching sees every form
come from the portal's own address; matching can count per newcomer too once it trusts the portal
as a proxy (`QN_MATCHING_TRUSTED_PROXIES`), which the portal's `X-Forwarded-For` then serves.

Kept in this process's memory: with several replicas each counts its own share, which still
stops one client's flood without a shared store for a form of a few fields."""

from __future__ import annotations

import math
from collections import deque

from limits import parse_many

from qn_infra.clock import Clock

SWEEP_EVERY = 256
"""Hits between sweeps of addresses whose windows have all passed (memory stays bounded)."""


class PerAddressLimit:
    def __init__(self, limits: str, clock: Clock) -> None:
        # e.g. "10/minute;60/hour": (how many, within how many seconds) each
        self.windows = [(item.amount, item.get_expiry()) for item in parse_many(limits)]
        self.longest = max(seconds for _, seconds in self.windows)
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._since_sweep = 0

    def hit(self, address: str) -> int | None:
        """Counts one form from `address`: None when it may go on, else the seconds to wait (the
        refused form is not counted, so waiting that long is enough)."""
        now = self._clock.now().timestamp()
        hits = self._hits.setdefault(address, deque())
        while hits and hits[0] <= now - self.longest:
            hits.popleft()
        for amount, seconds in self.windows:
            inside = [at for at in hits if at > now - seconds]
            if len(inside) >= amount:
                return max(1, math.ceil(inside[-amount] + seconds - now))
        hits.append(now)
        self._sweep(now)
        return None

    def _sweep(self, now: float) -> None:
        self._since_sweep += 1
        if self._since_sweep < SWEEP_EVERY:
            return
        self._since_sweep = 0
        for address in [a for a, hits in self._hits.items() if not hits or hits[-1] <= now - self.longest]:
            del self._hits[address]
