"""The whole system as real processes: a nats-server and the four services, each with its own
fresh database, configured the way `make run` configures them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from qn_infra.embedded_broker import NatsServer
from qn_infra.pseudonyms import ensure_pseudonym_key
from qn_testkit.auth import Tokens
from qn_testkit.canaries import leaks_in_log, leaks_on_broker, watch_client
from qn_testkit.databases import DatabaseFactory
from qn_testkit.services import REPO, ServiceProcess

SERVICES = ("intake", "matching", "scheduling", "reporting")


@dataclass
class City:
    """The running system, as its users reach it."""

    nats: NatsServer
    services: dict[str, ServiceProcess]
    tokens: Tokens

    def url(self, service: str) -> str:
        return self.services[service].url

    def client(self, service: str, *roles: str, **claims: str) -> httpx.Client:
        client = httpx.Client(base_url=self.url(service), headers=self.tokens.headers(*roles, **claims), timeout=15)
        return watch_client(client)


def start_city(
    databases: DatabaseFactory,
    tokens: Tokens,
    tmp_path: Path,
    *,
    nats: NatsServer | None = None,
    nats_url: str | None = None,
    only: tuple[str, ...] = SERVICES,
    **overrides: dict[str, object],
) -> City:
    """Starts the services (`only` those named) on `nats` (a started server; by default a fresh
    open one), or on the servers of `nats_url` (a cluster: `nats` is then one of its nodes)."""
    nats = nats or NatsServer(tmp_path / "jetstream", log_file=tmp_path / "nats-server.log").start()
    services = {}
    # the login-pseudonym key intake and matching share (decision 0013), as `make run` makes it
    pseudonym_key = ensure_pseudonym_key(tmp_path / "keys")
    for name in only:
        settings: dict[str, object] = {
            "database_url": databases.create(name),
            "nats_url": nats_url or nats.url,
            "auth_jwks_file": tokens.jwks_file,
            "data_dir": tmp_path / name,
            "outbox_poll_seconds": 0.2,
            "consumer_backoff_seconds": "[0.2, 0.5, 1.0]",
            **overrides.get(name, {}),
        }
        if name == "intake":
            settings["city_dir"] = REPO / "deploy" / "demo-city"
        if name in ("intake", "matching"):
            settings.setdefault("pseudonym_key_file", pseudonym_key)
        services[name] = ServiceProcess(name, settings=settings, log_dir=tmp_path)
    for process in services.values():
        process.start(wait=False)
    with ThreadPoolExecutor(len(services)) as pool:
        list(pool.map(lambda p: p.wait_ready(90), services.values()))
    return City(nats, services, tokens)


def stop_city(city: City) -> None:
    """Stops everything; then no stream and no service's log may hold personal data a test sent."""
    for process in city.services.values():
        process.stop()
    # a secured broker is read with its admin user
    leaks = leaks_on_broker(getattr(city.nats, "admin_url", city.nats.url)) if city.nats.running else []
    city.nats.stop()
    for name, process in city.services.items():
        if process.log_path.exists():
            leaks += leaks_in_log(process.log_path.read_text(errors="replace"), f"{name} log")
    assert not leaks, "personal data on the broker or in service logs:\n" + "\n".join(leaks[:20])
