"""Each service's settings load from exactly the environment the compose file and the
Kubernetes ConfigMaps give it, and pass the production profile's checks (the broker checks need
a running cluster: tests/test_production_start.py and services/infra/tests cover them)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

from qn_infra.production import unsafe_settings
from qn_infra.settings import ServiceSettings
from qn_testkit.deployment import SERVICES, compose_environment

from .test_deploy_kubernetes import of_kind, rendered

SECRET = "s3cret-from-a-file"


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"qn_{service}.config")
    return next(
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, ServiceSettings) and value.service_name == service
    )


def load(service: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ServiceSettings:
    """The settings as the container would build them: the given variables and nothing else
    (a mounted secret file is one with the same content under tmp_path)."""
    for key in [key for key in os.environ if key.startswith("QN_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if value.startswith("/run/secrets/"):
            secret = tmp_path / value.removeprefix("/")
            secret.parent.mkdir(parents=True, exist_ok=True)
            secret.write_text(SECRET + "\n")
            value = str(secret)
        monkeypatch.setenv(key, value)
    return settings_class(service)()


def check(service: str, settings: ServiceSettings) -> None:
    assert unsafe_settings(settings) == []
    assert settings.profile == "production"
    assert (settings.host, settings.port) == ("0.0.0.0", 8000)
    assert f":{SECRET}@" in settings.database_url and settings.database_url.endswith(f"/{service}")
    assert settings.nats_auth() == {"user": service, "password": SECRET}
    assert len(settings.nats_servers) == 3
    assert settings.create_streams is False  # the migration step's job


@pytest.mark.unit
@pytest.mark.parametrize("service", SERVICES)
def test_settings_load_from_the_compose_environment(
    service: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env = compose_environment(service, {"QN_IDP_URL": "https://id.stadt.example"})
    check(service, load(service, env, monkeypatch, tmp_path))


@pytest.mark.unit
@pytest.mark.parametrize("service", SERVICES)
def test_settings_load_from_the_kubernetes_config_map(
    service: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    documents = rendered("production")
    deployment = of_kind(documents, "Deployment")[service]["spec"]["template"]["spec"]
    container = deployment["containers"][0]
    [source] = container["envFrom"]
    env = dict(of_kind(documents, "ConfigMap")[source["configMapRef"]["name"]]["data"])
    # the files the settings name are where the pod mounts its Secrets
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    for key, value in env.items():
        if key.endswith("_FILE"):
            assert str(Path(value).parent) in mounts, key
            env[key] = "/run/secrets/" + Path(value).parent.name + "/" + Path(value).name
    check(service, load(service, env, monkeypatch, tmp_path))
