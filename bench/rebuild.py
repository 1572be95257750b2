"""`python -m qn_reporting rebuild` throughput, against raw consumption of the same stream.

A temporary nats-server gets N realistic intake events (N: `--events N` of this script or
`--rebuild-events N` of bench/run.py, else QN_BENCH_REBUILD_EVENTS, else 1,000,000; concerns,
referrals, help requests, signals, follow-ups ... over 24 months, 16 quarters and the city's
topics), published with pipelined, checked acks. The baseline is nats-py as a plain
consumer would use it: a fresh durable pull consumer, `fetch` in batches, one ack per message,
nothing else. Then the rebuild runs as operators run it -- `python -m qn_reporting rebuild`, a
process of its own on a migrated SQLite database -- and reads, checks, decodes and counts every
event and writes the aggregates and the processed ids. Its wall time includes the process start
and the write; its peak memory is that process's own (maxrss). The result is checked: the
events counted under '*' add up to the number published, and every id is recorded."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import create_engine, text

from qn_contracts import Event, EventMeta, encode
from qn_contracts.intake import (
    ConcernClosed,
    ConcernRecorded,
    FollowUpDone,
    FollowUpDue,
    HelpRequested,
    ReferralRequested,
    ReferralStatusChanged,
    SignalRaised,
)
from qn_infra.database import migrate
from qn_infra.devkeys import ensure_keys
from qn_infra.embedded_broker import NatsServer
from qn_infra.messaging import ensure_streams

REPO = Path(__file__).resolve().parents[1]
EVENTS = int(os.environ.get("QN_BENCH_REBUILD_EVENTS", "1000000"))
FETCH = int(os.environ.get("QN_BENCH_REBUILD_FETCH", "1000"))
TEMPLATES = 4000
"""Distinct bodies; every message gets its own id and time."""

QUARTERS = [
    f"dessau-{name}"
    for name in (
        "innenstadt-nord",
        "innenstadt-sued",
        "nord",
        "ziebigk",
        "siedlung",
        "alten",
        "haideburg",
        "kochstedt",
        "mosigkau",
        "kleinkuehnau",
        "waldersee",
        "zoberberg",
        "rosslau",
        "meinsdorf",
        "mildensee",
        "suedost",
    )
]
TOPICS = [
    "einsamkeit",
    "alter",
    "pflege",
    "wohnen",
    "schulden",
    "gesundheit",
    "familie",
    "sucht",
    "arbeit",
    "migration",
    "behinderung",
    "mobilitaet",
    "digitales",
    "behoerden",
]
TEAMS = ["team-innenstadt", "team-nord", "team-sued", "team-rosslau"]
TARGETS = ["awo-dessau", "caritas-dessau", "diakonie-dessau", "jugendamt-asd", "sozialamt", "drk-dessau"]
FIRST_DAY = datetime(2025, 1, 1, tzinfo=UTC)
DAYS = 730


def _topics(rng: random.Random) -> list[str]:
    return rng.sample(TOPICS, rng.choice((1, 1, 2, 2, 3)))


def _event(rng: random.Random) -> Event:
    quarter, u = rng.choice(QUARTERS), uuid.UUID(int=rng.getrandbits(128), version=4)
    urgency = rng.choice(("immediate", "soon", "plannable"))
    kind = rng.random()
    if kind < 0.35:
        return ConcernRecorded(
            concern_id=u,
            person_ref=uuid.UUID(int=rng.getrandbits(128), version=4),
            quarter_id=quarter,
            channel=rng.choice(("walk_in", "phone", "home_visit")),
            topics=_topics(rng),
            urgency=urgency,
            team_id=rng.choice(TEAMS),
        )
    if kind < 0.55:
        return ReferralRequested(
            referral_id=u,
            concern_id=u,
            quarter_id=quarter,
            topics=_topics(rng),
            urgency=urgency,
            target_id=rng.choice(TARGETS),
            target_kind="carrier",
            rule_id="r-012",
            due_at=FIRST_DAY + timedelta(days=rng.randrange(DAYS)),
        )
    if kind < 0.65:
        return ReferralStatusChanged(
            referral_id=u,
            concern_id=u,
            quarter_id=quarter,
            target_id=rng.choice(TARGETS),
            topics=_topics(rng),
            from_status="requested",
            to_status="accepted",
        )
    if kind < 0.75:
        return HelpRequested(
            help_request_id=u,
            concern_id=u,
            quarter_id=quarter,
            help_kind="shopping",
            skills=["shopping"],
            languages=["de"],
            urgency=urgency,
        )
    if kind < 0.82:
        return SignalRaised(signal_id=u, quarter_id=quarter, signal_type="loneliness", raised_by="kuemmerer")
    if kind < 0.90:
        return FollowUpDue(
            follow_up_id=u,
            quarter_id=quarter,
            team_id=rng.choice(TEAMS),
            reason="loneliness",
            due_at=FIRST_DAY + timedelta(days=rng.randrange(DAYS)),
        )
    if kind < 0.95:
        return FollowUpDone(follow_up_id=u, quarter_id=quarter, team_id=rng.choice(TEAMS), outcome="contacted")
    return ConcernClosed(concern_id=u, quarter_id=quarter, topics=_topics(rng), outcome="resolved")


def _templates(rng: random.Random) -> list[tuple[str, bytes, dict[str, str]]]:
    out = []
    for _ in range(TEMPLATES):
        event = _event(rng)
        message = encode(event, EventMeta.for_event(event, correlation_id=str(uuid.uuid4())))
        out.append((message.subject, message.body, message.headers))
    return out


async def _publish(url: str, n: int) -> float:
    """Publishes n events into QN_INTAKE, every ack checked; returns events/s."""
    rng = random.Random(20261121)
    templates = _templates(rng)
    nc = await nats.connect(url)
    try:
        js = nc.jetstream(timeout=30, publish_async_max_pending=4096)
        await ensure_streams(js)
        started = time.perf_counter()
        pending: list[asyncio.Future[Any]] = []
        acked = 0

        async def settle() -> int:
            good = 0
            for ack in await asyncio.gather(*pending):
                if ack.stream != "QN_INTAKE" or ack.duplicate:
                    raise RuntimeError(f"publish not stored as expected: {ack}")
                good += 1
            pending.clear()
            return good

        for i in range(n):
            subject, body, headers = templates[i % TEMPLATES]
            event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            moment = FIRST_DAY + timedelta(seconds=rng.randrange(DAYS * 86400))
            headers = {**headers, "ce-id": event_id, "Nats-Msg-Id": event_id, "ce-time": moment.isoformat()}
            pending.append(await js.publish_async(subject, body, headers=headers, stream="QN_INTAKE"))
            if len(pending) >= 20_000:
                acked += await settle()
        acked += await settle()
        if acked != n:
            raise RuntimeError(f"{acked} of {n} publishes acknowledged")
        info = await js.stream_info("QN_INTAKE")
        if info.state.messages != n:
            raise RuntimeError(f"QN_INTAKE holds {info.state.messages} messages, {n} were published")
        return n / (time.perf_counter() - started)
    finally:
        await nc.close()


async def _raw_consume(url: str, n: int) -> tuple[float, float]:
    """A fresh durable pull consumer, fetch in batches, ack each message: events/s, and CPU
    seconds of this process."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream(timeout=30)
        config = ConsumerConfig(
            durable_name="bench-raw",
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            max_ack_pending=4 * FETCH,
            filter_subject="qn.v1.intake.>",
        )
        await js.add_consumer("QN_INTAKE", config)
        subscription = await js.pull_subscribe_bind("bench-raw", "QN_INTAKE")
        started, cpu = time.perf_counter(), time.process_time()
        received = 0
        while received < n:
            messages = await subscription.fetch(FETCH, timeout=10)
            for message in messages:
                await message.ack()
            received += len(messages)
        await nc.flush()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        await js.delete_consumer("QN_INTAKE", "bench-raw")
        return received / seconds, cpu
    finally:
        await nc.close()


def _rebuild(tmp: Path, nats_url: str) -> dict[str, Any]:
    """`python -m qn_reporting rebuild --json` in a process of its own: its figures, wall time and
    peak memory."""
    database_url = f"sqlite:///{tmp / 'reporting.sqlite3'}"
    migrate(database_url, REPO / "services/reporting/qn_reporting/migrations")
    keys = tmp / "keys"
    ensure_keys(keys)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("QN_REPORTING_")},
        "QN_REPORTING_DATABASE_URL": database_url,
        "QN_REPORTING_NATS_URL": nats_url,
        "QN_REPORTING_DATA_DIR": str(tmp),
        "QN_REPORTING_AUTH_JWKS_FILE": str(keys / "jwks.json"),
        "QN_REPORTING_LOG_LEVEL": "WARNING",
        "QN_REPORTING_LOG_JSON": "true",
    }
    out, progress = tmp / "rebuild.json", tmp / "rebuild.log"
    with open(out, "wb") as stdout, open(progress, "wb") as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "qn_reporting", "rebuild", "--json"], env=env, cwd=REPO, stdout=stdout, stderr=stderr
        )
        _, status, usage = os.wait4(child.pid, 0)  # the child's own resource usage
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"rebuild exited with {child.returncode}:\n{progress.read_text()[-3000:]}")
    figures = json.loads(out.read_text().strip().splitlines()[-1])
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            counted = connection.execute(text("SELECT COALESCE(SUM(n), 0) FROM counts WHERE topic = '*'")).scalar_one()
            ids = connection.execute(text("SELECT COUNT(*) FROM processed_events")).scalar_one()
    finally:
        engine.dispose()
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "wall": wall,
        "cpu": cpu,
        "maxrss_mb": usage.ru_maxrss / 1024,
        "counted": int(counted),
        "ids": int(ids),
    } | figures


def run(events: int = EVENTS) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        server = NatsServer(tmp_path / "nats").start()
        try:
            publish_rate = asyncio.run(_publish(server.url, events))
            raw_rate, raw_cpu = asyncio.run(_raw_consume(server.url, events))
            rebuilt = _rebuild(tmp_path, server.url)
        finally:
            server.stop()
    if rebuilt["counted"] != events or rebuilt["ids"] != events or rebuilt["events"] != events:
        raise RuntimeError(
            f"the rebuild counted {rebuilt['counted']} events and recorded {rebuilt['ids']} ids; "
            f"{events} were published"
        )
    rate = events / rebuilt["wall"]
    return {
        "events": events,
        "publish_per_s": publish_rate,
        "raw_per_s": raw_rate,
        "rebuild_per_s": rate,
        "rebuild_seconds": rebuilt["wall"],
        "read_seconds": rebuilt["read_seconds"],
        "write_seconds": rebuilt["write_seconds"],
        "read_per_s": events / rebuilt["read_seconds"],
        "count_cells": rebuilt["count_cells"],
        "maxrss_mb": rebuilt["maxrss_mb"],
        "ratio": rate / raw_rate,
        "raw_cpu_us": raw_cpu / events * 1e6,
        "rebuild_cpu_us": rebuilt["cpu"] / events * 1e6,
    }


def report(figures: dict[str, float]) -> str:
    return "\n".join(
        [
            f"{figures['events']:,.0f} intake events in QN_INTAKE (published at {figures['publish_per_s']:,.0f}/s, "
            "acks checked):",
            f"  raw nats-py pull consumer (fetch {FETCH}, ack each):  {figures['raw_per_s']:>9,.0f} events/s",
            f"  python -m qn_reporting rebuild, end to end:         {figures['rebuild_per_s']:>9,.0f} events/s   "
            f"({figures['rebuild_seconds']:.1f} s: read+check+count {figures['read_seconds']:.1f} s at "
            f"{figures['read_per_s']:,.0f}/s, write {figures['write_seconds']:.1f} s)",
            f"  peak memory of the rebuild process: {figures['maxrss_mb']:,.0f} MB; "
            f"{figures['count_cells']:,.0f} count cells; every event counted once (checked)",
            f"  CPU of the consuming process per event (nats-server not included): raw {figures['raw_cpu_us']:.0f} us, "
            f"rebuild {figures['rebuild_cpu_us']:.0f} us (process start and the write included)",
            f"  ratio rebuild / raw consume: {figures['ratio']:.2f}   aim: at least 0.30",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rebuild throughput against a raw pull consumer.")
    parser.add_argument("--events", type=int, default=EVENTS, help="events in the stream (default %(default)s)")
    print(report(run(parser.parse_args(argv).events)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
