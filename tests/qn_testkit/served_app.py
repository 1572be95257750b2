"""A service's app, built in the test with an injected clock, served over real HTTP (uvicorn in a
thread on a free port): for a web app in front of it that must reach it by URL -- as a real
process would -- while the service's day is the test's reference day, not the wall clock's."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from qn_infra.database import migrate
from qn_infra.embedded_broker import free_port

from .services import MIGRATIONS


@contextmanager
def served(app: Any, *, migrations_of: str | None = None, database_url: str | None = None) -> Iterator[str]:
    """Migrates (if told which), serves `app` until the block ends; yields its base URL."""
    if migrations_of and database_url:
        migrate(database_url, MIGRATIONS[migrations_of])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"served-app-{port}", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the app on port {port} did not start")
        time.sleep(0.05)
    try:
        assert httpx.get(url + "/healthz", timeout=5).status_code == 200
        yield url
    finally:
        server.should_exit = True
        thread.join(15)
