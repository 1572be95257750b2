"""Waiting, in the event loop, for a condition that callbacks make true (`pull`, `publish_window`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable


async def wait_until(changed: asyncio.Event, done: Callable[[], bool], deadline: float) -> bool:
    """Waits until `done()` holds, looking again each time `changed` is set, or until the loop's
    clock reaches `deadline`; answers whether `done()` held."""
    loop = asyncio.get_running_loop()
    while not done():
        left = deadline - loop.time()
        if left <= 0:
            return False
        changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), left)
    return True
