"""The whole system as real processes: a nats-server and the four services, each with its own
fresh database, configured the way `make run` configures them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from qn_infra.embedded_broker import NatsServer
from qn_testkit.auth import Tokens
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
        return httpx.Client(base_url=self.url(service), headers=self.tokens.headers(*roles, **claims), timeout=15)


def start_city(databases: DatabaseFactory, tokens: Tokens, tmp_path: Path, **overrides: dict[str, object]) -> City:
    nats = NatsServer(tmp_path / "jetstream", log_file=tmp_path / "nats-server.log").start()
    services = {}
    for name in SERVICES:
        settings: dict[str, object] = {
            "database_url": databases.create(name),
            "nats_url": nats.url,
            "auth_jwks_file": tokens.jwks_file,
            "data_dir": tmp_path / name,
            "outbox_poll_seconds": 0.2,
            "consumer_backoff_seconds": "[0.2, 0.5, 1.0]",
            **overrides.get(name, {}),
        }
        if name == "intake":
            settings["city_dir"] = REPO / "deploy" / "demo-city"
        services[name] = ServiceProcess(name, settings=settings, log_dir=tmp_path)
    for process in services.values():
        process.start(wait=False)
    with ThreadPoolExecutor(len(services)) as pool:
        list(pool.map(lambda p: p.wait_ready(90), services.values()))
    return City(nats, services, tokens)


def stop_city(city: City) -> None:
    for process in city.services.values():
        process.stop()
    city.nats.stop()
