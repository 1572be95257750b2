"""POST /concerns throughput and latency, against a bare FastAPI endpoint parsing the same body.

Both run under uvicorn (one worker) on this machine, one after the other, loaded by the same client
with the same concurrency; the result is given as a ratio, so a slow or busy machine shows up in
both. Intake runs the real thing: token check, address resolution, routing, the concern, its
referral and help request and three outbox rows in one SQLite transaction (the embedded default),
with the relay publishing to a real nats-server."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from qn_infra.database import migrate
from qn_infra.devkeys import ensure_keys, issue_token
from qn_infra.embedded_broker import NatsServer, free_port

REPO = Path(__file__).resolve().parents[1]
BODY = {
    "channel": "walk_in",
    "topics": ["einsamkeit", "schulden"],
    "urgency": "soon",
    "address": {"street": "Franzstr.", "house_number": "147"},
    "note": "Benchmark",
}
CONCURRENCY = int(os.environ.get("QN_BENCH_CONCURRENCY", "16"))
SECONDS = float(os.environ.get("QN_BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("QN_BENCH_ROUNDS", "5"))


def _serve(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


async def _load(url: str, headers: dict[str, str], seconds: float) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            started = time.perf_counter()
            response = await client.post(url, json=BODY, headers=headers)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 201:
                errors += 1

    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return int(len(latencies) / elapsed), latencies, errors


def _figures(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        nats = NatsServer(tmp_path / "nats").start()
        keys = tmp_path / "keys"
        ensure_keys(keys)
        database_url = f"sqlite:///{tmp_path / 'intake.sqlite3'}"
        migrate(database_url, REPO / "services/intake/qn_intake/migrations")
        env = {
            **os.environ,
            "QN_INTAKE_DATABASE_URL": database_url,
            "QN_INTAKE_NATS_URL": nats.url,
            "QN_INTAKE_DATA_DIR": str(tmp_path),
            "QN_INTAKE_CITY_DIR": str(REPO / "deploy/demo-city"),
            "QN_INTAKE_LOG_LEVEL": "WARNING",
            "QN_INTAKE_LOG_JSON": "true",
            "PYTHONPATH": str(REPO / "bench"),
        }
        bare_port, intake_port = free_port(), free_port()
        bare = _serve("bare_app:app", bare_port, env)
        intake = _serve("qn_intake.asgi:app", intake_port, env)
        try:
            _wait(f"http://127.0.0.1:{bare_port}/docs")
            _wait(f"http://127.0.0.1:{intake_port}/readyz")
            # the team of the quarter Franzstr. 147 lies in: staff record concerns for their own team
            token = issue_token(keys, roles=["team_staff"], subject="bench", team="team-innenstadt")
            auth = {"Authorization": f"Bearer {token}"}
            bare_url, intake_url = f"http://127.0.0.1:{bare_port}/concerns", f"http://127.0.0.1:{intake_port}/concerns"
            asyncio.run(_load(bare_url, {}, 1))  # warm up both
            asyncio.run(_load(intake_url, auth, 1))
            # alternate short rounds, so that a change in the machine's load hits both sides alike;
            # the ratio of each round pair is what counts, and the median of those is reported
            bare_rounds, intake_rounds, ratios = [], [], []
            bare_lat, intake_lat, bare_err, intake_err = [], [], 0, 0
            for _ in range(ROUNDS):
                b_rps, b_lat, b_err = asyncio.run(_load(bare_url, {}, SECONDS))
                i_rps, i_lat, i_err = asyncio.run(_load(intake_url, auth, SECONDS))
                bare_rounds.append(b_rps)
                intake_rounds.append(i_rps)
                ratios.append(i_rps / b_rps if b_rps else 0.0)
                bare_lat += b_lat
                intake_lat += i_lat
                bare_err += b_err
                intake_err += i_err
        finally:
            for process in (bare, intake):
                process.terminate()
                process.wait(10)
            nats.stop()
    bare_p50, bare_p99 = _figures(bare_lat)
    intake_p50, intake_p99 = _figures(intake_lat)
    return {
        "bare_rps": statistics.median(bare_rounds),
        "bare_p50_ms": bare_p50,
        "bare_p99_ms": bare_p99,
        "bare_errors": bare_err,
        "intake_rps": statistics.median(intake_rounds),
        "intake_p50_ms": intake_p50,
        "intake_p99_ms": intake_p99,
        "intake_errors": intake_err,
        "throughput_ratio": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
    }


def _line(label: str, figures: dict[str, float], side: str) -> str:
    rps, p50, p99 = figures[f"{side}_rps"], figures[f"{side}_p50_ms"], figures[f"{side}_p99_ms"]
    return f"  {label:<40} {rps:>7.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms"


def report(figures: dict[str, float]) -> str:
    return "\n".join(
        [
            f"POST /concerns, {CONCURRENCY} concurrent clients, {ROUNDS} alternating rounds of {SECONDS:.0f} s, "
            "one uvicorn worker each:",
            _line("bare FastAPI endpoint (parses the body):", figures, "bare"),
            _line("intake (auth, address, routing, outbox):", figures, "intake"),
            f"  throughput ratio intake / bare: {figures['throughput_ratio']:.2f} (median of rounds; range "
            f"{figures['ratio_min']:.2f}-{figures['ratio_max']:.2f})   aim: at least 0.50"
            + (f"   errors: {figures['intake_errors']:.0f}" if figures["intake_errors"] else ""),
        ]
    )


if __name__ == "__main__":
    print(report(run()))
