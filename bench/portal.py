"""The portal's two busiest pages against the API call behind them, made directly: the work queue
(GET /warteschlange vs intake's GET /queue) and the concern form's submit (POST /anliegen vs
intake's POST /concerns), at 20 concurrent signed-in users each with a session of their own.

Intake and the portal run under uvicorn (one worker each) with a real nats-server; the two sides
alternate in short rounds, so that a change in the machine's load hits both alike, and the ratio
of the portal's p50 and p95 to the direct call's is what to compare (the portal's own cost: the
session, the template, and for the form the code lists it fetches)."""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from concerns import _serve, _wait  # the same way of starting a service as the concerns benchmark

from qn_infra.database import migrate
from qn_infra.devkeys import ensure_keys, issue_token
from qn_infra.embedded_broker import NatsServer, free_port

REPO = Path(__file__).resolve().parents[1]
USERS = int(os.environ.get("QN_BENCH_PORTAL_USERS", "20"))
SECONDS = float(os.environ.get("QN_BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("QN_BENCH_ROUNDS", "3"))
CONCERN = {
    "channel": "walk_in",
    "topics": ["einsamkeit"],
    "urgency": "soon",
    "address": {"street": "Franzstr.", "house_number": "147"},
}
Call = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


async def _signed_in(portal: str) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=portal, timeout=30)
    page = await client.get("/anmelden")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = await client.post("/anmelden/lokal", data={"csrf_token": csrf, "user_id": "demo-staff-team-innenstadt"})
    assert answer.status_code == 303, answer.text
    queue = await client.get("/warteschlange")
    return client, re.search(r'name="csrf-token" content="([^"]+)"', queue.text).group(1)  # type: ignore[union-attr]


async def _load(clients: list[httpx.AsyncClient], call: Callable[[int], Call], ok: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + SECONDS

    async def user(index: int, client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            started = time.perf_counter()
            response = await call(index)(client)
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != ok

    await asyncio.gather(*(user(i, c) for i, c in enumerate(clients)))
    return latencies, errors


def _p(latencies: list[float], q: float) -> float:
    ordered = sorted(latencies)
    return ordered[max(0, int(len(ordered) * q) - 1)] * 1000


async def _measure(portal: str, intake: str, token: str) -> dict[str, float]:
    sessions = [await _signed_in(portal) for _ in range(USERS)]
    portal_clients = [c for c, _ in sessions]
    direct = [
        httpx.AsyncClient(base_url=intake, timeout=30, headers={"Authorization": f"Bearer {token}"})
        for _ in range(USERS)
    ]
    pairs: dict[str, tuple[Callable[[int], Call], int, Callable[[int], Call], int]] = {
        "queue": (
            lambda i: lambda c: c.get("/warteschlange"),
            200,
            lambda i: lambda c: c.get("/queue", params={"page_size": 20}),
            200,
        ),
        "concern": (
            lambda i: (
                lambda c: c.post(
                    "/anliegen",
                    data={
                        "csrf_token": sessions[i][1],
                        "idempotency_key": str(uuid.uuid4()),
                        "street": "Franzstr.",
                        "house_number": "147",
                        "topics": "einsamkeit",
                        "urgency": "soon",
                        "channel": "walk_in",
                    },
                )
            ),
            303,
            lambda i: lambda c: c.post("/concerns", json=CONCERN, headers={"Idempotency-Key": str(uuid.uuid4())}),
            201,
        ),
    }
    figures: dict[str, float] = {}
    for name, (via_portal, portal_ok, straight, direct_ok) in pairs.items():
        await _load(portal_clients, via_portal, portal_ok)  # warm up
        portal_lat, direct_lat, errors = [], [], 0
        for _ in range(ROUNDS):
            lat, err = await _load(portal_clients, via_portal, portal_ok)
            portal_lat += lat
            errors += err
            lat, err = await _load(direct, straight, direct_ok)
            direct_lat += lat
            errors += err
        figures |= {
            f"{name}_portal_p50": statistics.median(portal_lat) * 1000,
            f"{name}_portal_p95": _p(portal_lat, 0.95),
            f"{name}_direct_p50": statistics.median(direct_lat) * 1000,
            f"{name}_direct_p95": _p(direct_lat, 0.95),
            f"{name}_errors": errors,
        }
    for client in portal_clients + direct:
        await client.aclose()
    return figures


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        nats = NatsServer(tmp_path / "nats").start()
        keys = tmp_path / "keys"
        ensure_keys(keys)
        database_url = f"sqlite:///{tmp_path / 'intake.sqlite3'}"
        migrate(database_url, REPO / "services/intake/qn_intake/migrations")
        intake_port, portal_port = free_port(), free_port()
        env = {
            **os.environ,
            "QN_INTAKE_DATABASE_URL": database_url,
            "QN_INTAKE_NATS_URL": nats.url,
            "QN_INTAKE_DATA_DIR": str(tmp_path),
            "QN_INTAKE_CITY_DIR": str(REPO / "deploy/demo-city"),
            "QN_INTAKE_LOG_LEVEL": "WARNING",
            "QN_INTAKE_LOG_JSON": "true",
            "QN_PORTAL_INTAKE_URL": f"http://127.0.0.1:{intake_port}",
            "QN_PORTAL_PUBLIC_URL": f"http://127.0.0.1:{portal_port}",
            "QN_PORTAL_LOCAL_KEY_DIR": str(keys),
            "QN_PORTAL_LOCAL_CITY_DIR": str(REPO / "deploy/demo-city"),
            "QN_PORTAL_SESSION_SECRET": "bench",
            "QN_PORTAL_LOG_LEVEL": "WARNING",
            "QN_PORTAL_LOG_JSON": "true",
        }
        intake = _serve("qn_intake.asgi:app", intake_port, env)
        portal = _serve("qn_portal.asgi:app", portal_port, env)
        try:
            _wait(f"http://127.0.0.1:{intake_port}/readyz")
            _wait(f"http://127.0.0.1:{portal_port}/healthz")
            token = issue_token(keys, roles=["team_staff"], subject="bench", team="team-innenstadt")
            return asyncio.run(_measure(f"http://127.0.0.1:{portal_port}", f"http://127.0.0.1:{intake_port}", token))
        finally:
            for process in (intake, portal):
                process.terminate()
                process.wait(10)
            nats.stop()


def report(figures: dict[str, float]) -> str:
    lines = [
        f"{USERS} concurrent signed-in users, {ROUNDS} alternating rounds of {SECONDS:.0f} s, one uvicorn worker each:"
    ]
    for name, label in (
        ("queue", "work queue page vs GET /queue"),
        ("concern", "concern form submit vs POST /concerns"),
    ):
        f = {key.removeprefix(f"{name}_"): value for key, value in figures.items() if key.startswith(f"{name}_")}
        lines.append(
            f"  {label:<40} portal p50 {f['portal_p50']:6.1f} ms  p95 {f['portal_p95']:6.1f} ms"
            f" | direct p50 {f['direct_p50']:6.1f} ms  p95 {f['direct_p95']:6.1f} ms"
            f" | ratio p50 {f['portal_p50'] / f['direct_p50']:.2f}  p95 {f['portal_p95'] / f['direct_p95']:.2f}"
            + (f"   errors: {f['errors']:.0f}" if f["errors"] else "")
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run()))
