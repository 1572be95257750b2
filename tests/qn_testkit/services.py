"""Running services for tests: in-process with FastAPI's TestClient (one service, its lifespan,
a real broker and database), or as real `python -m qn_<service> serve` processes (end to end)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qn_infra.database import migrate
from qn_infra.embedded_broker import free_port

from .canaries import watch_client

REPO = Path(__file__).resolve().parents[2]
MIGRATIONS = {
    name: REPO / "services" / name / f"qn_{name}" / "migrations"
    for name in ("intake", "matching", "scheduling", "reporting")
}


@contextmanager
def running_app(
    app: FastAPI, *, migrations_of: str | None = None, database_url: str | None = None
) -> Iterator[TestClient]:
    """Migrates the database (if told which), runs the app's lifespan and yields a client."""
    if migrations_of and database_url:
        migrate(database_url, MIGRATIONS[migrations_of])
    with TestClient(app, raise_server_exceptions=False) as client:
        yield watch_client(client)  # type: ignore[misc]


def service_env(service: str, *, settings: dict[str, Any]) -> dict[str, str]:
    """The process environment for one service: this test's settings under its own prefix."""
    prefix = f"QN_{service.upper()}_"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QN_")}
    env.update({prefix + k.upper(): str(v) for k, v in settings.items()})
    env.setdefault(prefix + "LOG_JSON", "true")
    return env


class ServiceProcess:
    """`python -m qn_<service> serve --migrate` as a child process with JSON logs in a file."""

    def __init__(self, service: str, *, settings: dict[str, Any], log_dir: Path, port: int | None = None) -> None:
        self.service = service
        self.port = port or free_port()
        self.settings = {**settings, "port": self.port}
        self.log_path = log_dir / f"{service}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, wait: bool = True, timeout: float = 60.0) -> ServiceProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 -- owned by the child process
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"qn_{self.service}", "serve", "--migrate"],
            env=service_env(self.service, settings=self.settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.service} exited with {self.process.returncode}:\n{self.tail()}")
            try:
                response = httpx.get(f"{self.url}/readyz", timeout=2)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise TimeoutError(f"{self.service} not ready after {timeout}s: {last}\n{self.tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON log lines this process wrote."""
        records = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue
        return records
