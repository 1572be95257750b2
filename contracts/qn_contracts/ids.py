"""Ids that sort by the time they were made: UUID version 7 (RFC 9562, section 5.7).

An event's id, and the id of a row written for every event (a proposal, a help request), is a key
in several B-tree indexes: the outbox's, the consumers' processed events, the tables' own. Random
(version 4) keys land on a different index page each, so a batch of 256 events dirtied a page per
event and index, and the write-ahead log and checkpoints grew with the database (on SQLite, the
help-request consumer's commits cost four times more at 16,000 requests than at the start).
Ids made from the time land at the end of each index, on the pages the batch before used.

What such an id gives away: the millisecond it was made, which the event (`ce-time`) and the row
carry anyway. Pseudonyms (`person_ref`) stay random: they must not tell when someone was first
seen. Python 3.14's `uuid.uuid7` makes the same ids; this one takes the time from the caller's
clock, so a test's clock decides it as it decides the event's time."""

from __future__ import annotations

import os
from datetime import datetime
from uuid import UUID

_VERSION = 0x7 << 76
_VARIANT = 0b10 << 62
_RAND_A = (1 << 12) - 1
_RAND_B = (1 << 62) - 1


def time_ordered_id(at: datetime) -> UUID:
    """A new UUIDv7 for something made at `at` (aware): 48 bits of Unix milliseconds, then 74
    random bits -- unique without coordination, ordered by time across milliseconds."""
    millis = int(at.timestamp() * 1000) & ((1 << 48) - 1)
    random = int.from_bytes(os.urandom(10), "big")
    return UUID(int=(millis << 80) | _VERSION | ((random >> 62) & _RAND_A) << 64 | _VARIANT | (random & _RAND_B))
