"""A service started with the production profile and unsafe settings exits, naming them; the
migration step creates the streams the services then only check."""

from __future__ import annotations

import os
import subprocess
import sys

import nats
import pytest

from qn_infra.embedded_broker import NatsServer
from qn_infra.messaging import ALL_STREAMS


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QN_")}
    return subprocess.run(
        [sys.executable, "-m", *args], env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


@pytest.mark.e2e
def test_a_service_refuses_to_start_in_production_with_the_embedded_settings(tmp_path: object) -> None:
    result = run("qn_reporting", "serve", env={"QN_REPORTING_PROFILE": "production", "QN_REPORTING_LOG_JSON": "true"})
    assert result.returncode == 1
    assert "the production profile refuses to start" in result.stderr
    for setting in ("DATABASE_URL", "STREAM_REPLICAS", "NATS_CREDENTIALS_FILE", "AUTH_ISSUER", "AUTH_JWKS_URL"):
        assert f"QN_REPORTING_{setting}" in result.stderr


@pytest.mark.e2e
async def test_the_migration_step_creates_every_stream(nats_server: NatsServer) -> None:
    result = run("qn_infra.streams", env={"QN_STREAMS_NATS_URL": nats_server.url})
    assert result.returncode == 0, result.stderr
    connection = await nats.connect(nats_server.url)
    try:
        names = {info.config.name for info in await connection.jetstream().streams_info()}
    finally:
        await connection.close()
    assert names == {spec.name for spec in ALL_STREAMS}


@pytest.mark.e2e
def test_the_migration_step_refuses_single_replica_streams_in_production(nats_server: NatsServer) -> None:
    result = run("qn_infra.streams", env={"QN_STREAMS_NATS_URL": nats_server.url, "QN_STREAMS_PROFILE": "production"})
    assert result.returncode == 1
    assert "QN_STREAMS_STREAM_REPLICAS" in result.stderr
