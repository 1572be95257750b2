"""The production profile refuses what is unsafe, naming the setting; the embedded default is left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig
from pydantic_settings import SettingsConfigDict

from qn_infra.embedded_broker import NatsServer
from qn_infra.messaging import ALL_STREAMS, Durable, ensure_streams
from qn_infra.production import (
    RefusedToStart,
    unsafe_broker,
    unsafe_consumer,
    unsafe_server_version,
    unsafe_settings,
    unsafe_stream,
)
from qn_infra.settings import ServiceSettings


class CitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="QN_PROBE_", extra="ignore")
    service_name: ClassVar[str] = "probe"


IDP = "https://id.stadt.example/realms/quartiersnetz"
SAFE: dict[str, Any] = {
    "profile": "production",
    "database_url": "postgresql://probe@db.stadt.example/probe",
    "stream_replicas": 3,
    "nats_credentials_file": "/run/secrets/probe.creds",
    "auth_issuer": IDP,
    "auth_jwks_url": f"{IDP}/protocol/openid-connect/certs",
}


def settings(**overrides: Any) -> CitySettings:
    return CitySettings(**{**SAFE, **overrides})


def named(problems: list[Any]) -> set[str]:
    return {problem.setting for problem in problems}


@pytest.mark.unit
def test_a_safe_production_configuration_passes_the_settings_checks() -> None:
    assert unsafe_settings(settings()) == []


@pytest.mark.unit
@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"database_url": ""}, "QN_PROBE_DATABASE_URL"),
        ({"database_url": "sqlite:///var/probe.sqlite3"}, "QN_PROBE_DATABASE_URL"),
        ({"stream_replicas": 1}, "QN_PROBE_STREAM_REPLICAS"),
        ({"nats_credentials_file": None}, "QN_PROBE_NATS_CREDENTIALS_FILE"),
        ({"nats_credentials_file": None, "nats_user": "probe"}, "QN_PROBE_NATS_CREDENTIALS_FILE"),
        ({"auth_issuer": "quartiersnetz-local"}, "QN_PROBE_AUTH_ISSUER"),
        ({"auth_issuer": "http://localhost:8080/realms/quartiersnetz"}, "QN_PROBE_AUTH_ISSUER"),
        ({"auth_jwks_url": ""}, "QN_PROBE_AUTH_JWKS_URL"),
        ({"auth_jwks_url": "http://127.0.0.1:8080/certs"}, "QN_PROBE_AUTH_JWKS_URL"),
        ({"auth_jwks_file": "/tmp/jwks.json"}, "QN_PROBE_AUTH_JWKS_FILE"),
    ],
)
def test_each_unsafe_setting_is_refused_by_its_name(overrides: dict[str, Any], setting: str) -> None:
    assert named(unsafe_settings(settings(**overrides))) == {setting}


@pytest.mark.unit
@pytest.mark.parametrize(
    "auth",
    [
        {"nats_user": "probe", "nats_password_file": "/run/secrets/nats-password"},
        {"nats_token_file": "/run/secrets/nats-token"},
        {"nats_nkey_seed_file": "/run/secrets/probe.nk"},
        {"nats_url": "nats://probe:secret@nats-0:4222,nats://probe:secret@nats-1:4222"},
    ],
)
def test_every_kind_of_nats_authentication_counts(auth: dict[str, Any]) -> None:
    assert unsafe_settings(settings(nats_credentials_file=None, **auth)) == []


@pytest.mark.unit
def test_the_refusal_names_every_unsafe_setting() -> None:
    refusal = RefusedToStart("probe", unsafe_settings(CitySettings(profile="production")))
    message = str(refusal.code)
    for setting in ("DATABASE_URL", "STREAM_REPLICAS", "NATS_CREDENTIALS_FILE", "AUTH_ISSUER", "AUTH_JWKS_URL"):
        assert f"QN_PROBE_{setting}" in message


@pytest.mark.unit
def test_the_embedded_default_is_unchanged_and_creates_its_streams() -> None:
    default = CitySettings()
    assert default.profile == "embedded"
    assert default.create_streams is True
    assert default.database_url.startswith("sqlite:///")
    assert default.nats_auth() == {}
    assert settings().create_streams is False  # production: the migration step creates them


@pytest.mark.unit
def test_the_database_password_comes_from_its_file(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cr:t/@\n")
    loaded = settings(database_password_file=secret)
    assert loaded.database_url == "postgresql://probe:s3cr%3At%2F%40@db.stadt.example/probe"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("version", "refused"), [("2.12.3", False), ("2.15.1", False), ("2.12.2", True), ("2.10.22", True), ("", True)]
)
def test_nats_servers_older_than_2_12_3_are_refused(version: str, refused: bool) -> None:
    assert (unsafe_server_version(version) is not None) is refused


@pytest.mark.unit
def test_streams_need_three_replicas_on_files() -> None:
    assert unsafe_stream(StreamConfig(name="QN_INTAKE", num_replicas=3, storage=StorageType.FILE)) is None
    assert "replicas" in str(unsafe_stream(StreamConfig(name="QN_INTAKE", num_replicas=1, storage=StorageType.FILE)))
    assert "memory" in str(unsafe_stream(StreamConfig(name="QN_INTAKE", num_replicas=3, storage=StorageType.MEMORY)))


@pytest.mark.unit
def test_consumers_need_explicit_acks_and_a_delivery_limit() -> None:
    assert unsafe_consumer(ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_deliver=8), "d") is None
    assert unsafe_consumer(ConsumerConfig(ack_policy=AckPolicy.NONE, max_deliver=8), "d") is not None
    assert unsafe_consumer(ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_deliver=-1), "d") is not None


@pytest.mark.integration
async def test_the_broker_check_reads_streams_and_durables_from_a_real_server(nats_server: NatsServer) -> None:
    connection = await nats.connect(nats_server.url)
    js = connection.jetstream()
    await ensure_streams(js, replicas=1)
    await js.add_consumer("QN_INTAKE", ConsumerConfig(durable_name="probe-old", ack_policy=AckPolicy.NONE))
    await connection.close()
    durables = [Durable("QN_INTAKE", "probe-old", "qn.v1.intake.>"), Durable("QN_INTAKE", "probe-new", "qn.v1.>")]

    problems = await unsafe_broker(settings(nats_url=nats_server.url, nats_credentials_file=None), durables)

    by_setting = {problem.setting: [] for problem in problems}
    for problem in problems:
        by_setting[problem.setting].append(problem.problem)
    # the server's version (2.15 from the venv) passes; one-replica streams and the old durable do not
    assert set(by_setting) == {"QN_PROBE_STREAM_REPLICAS", "QN_PROBE_CONSUMER_MAX_DELIVER"}
    assert len(by_setting["QN_PROBE_STREAM_REPLICAS"]) == len(ALL_STREAMS)
    assert by_setting["QN_PROBE_CONSUMER_MAX_DELIVER"] == [
        "consumer probe-old does not acknowledge explicitly (ack policy none); delete it to recreate it"
    ]


@pytest.mark.integration
async def test_missing_streams_send_the_operator_to_the_migration_step(nats_server: NatsServer) -> None:
    problems = await unsafe_broker(settings(nats_url=nats_server.url, nats_credentials_file=None), [])
    assert {p.setting for p in problems} == {"QN_PROBE_NATS_URL"}
    assert all("run the migration step" in p.problem for p in problems)


class PasswordServer(NatsServer):
    def command(self) -> list[str]:
        return [*super().command(), "--user", "probe", "--pass", "correct-horse"]


@pytest.mark.integration
async def test_services_connect_with_the_password_from_their_secret_file(tmp_path: Path) -> None:
    server = PasswordServer(tmp_path / "js").start()
    try:
        secret = tmp_path / "nats-password"
        secret.write_text("correct-horse\n")
        right = settings(nats_url=server.url, nats_user="probe", nats_password_file=secret, nats_credentials_file=None)
        problems = await unsafe_broker(right, [])
        assert problems and all("run the migration step" in p.problem for p in problems)  # connected

        secret.write_text("wrong")
        wrong = settings(nats_url=server.url, nats_user="probe", nats_password_file=secret, nats_credentials_file=None)
        problems = await unsafe_broker(wrong, [])
        assert [p.setting for p in problems] == ["QN_PROBE_NATS_URL"]
        assert "cannot connect" in problems[0].problem
    finally:
        server.stop()
