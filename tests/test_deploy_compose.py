"""The compose deployment, validated without a Docker engine: against the Compose Specification's
JSON Schema, by `docker compose config` where that plugin exists, the NATS configuration by
nats-server itself, and the realm by what the services expect of a token."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from qn_infra.auth import Role
from qn_infra.embedded_broker import nats_server_binary
from qn_infra.settings import ServiceSettings
from qn_testkit.deployment import COMPOSE_FILE, DEPLOY, SCHEMAS, SERVICES, compose_environment, compose_file

COMPOSE = DEPLOY / "compose"


@pytest.mark.unit
def test_the_compose_file_follows_the_compose_specification() -> None:
    schema_file = SCHEMAS / "compose-spec.json"
    if not schema_file.is_file():
        pytest.skip(f"the Compose Specification's schema is not beside the repository ({schema_file} missing)")
    import jsonschema

    schema = json.loads(schema_file.read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose_file()), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


@pytest.mark.unit
def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("the docker compose plugin is not installed here")
    env = {**os.environ, "PORTAL_OIDC_CLIENT_SECRET": "x", "PORTAL_SESSION_SECRET": "x"}
    result = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE_FILE), "config", "--quiet", "--no-path-resolution"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.unit
def test_migrations_and_streams_run_to_completion_before_each_service() -> None:
    services = compose_file()["services"]
    for name in SERVICES:
        depends = services[name]["depends_on"]
        assert depends[f"{name}-migrate"] == {"condition": "service_completed_successfully"}
        assert depends["streams"] == {"condition": "service_completed_successfully"}
        assert services[f"{name}-migrate"]["command"] == [f"qn_{name}", "migrate"]
        assert services[name]["command"] == [f"qn_{name}", "serve"]
    assert services["streams"]["command"] == ["qn_infra.streams"]
    assert services["portal"]["command"] == ["qn_portal"]


@pytest.mark.unit
def test_each_service_gets_only_its_own_database_and_nats_secrets() -> None:
    services = compose_file()["services"]
    for name in SERVICES:
        assert sorted(services[name]["secrets"]) == sorted([f"{name}_db_password", f"nats_{name}_password"])
        env = compose_environment(name)
        assert env[f"QN_{name.upper()}_DATABASE_URL"] == f"postgresql://{name}@postgres:5432/{name}"
        assert env[f"QN_{name.upper()}_PROFILE"] == "production"


@pytest.mark.unit
def test_no_secret_is_written_into_the_compose_file() -> None:
    for name, service in compose_file()["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if any(word in key for word in ("PASSWORD", "SECRET", "TOKEN")) and not key.endswith("_FILE"):
                assert str(value).startswith("${") or "/run/secrets/" in str(value), f"{name}: {key}"
    for secret in compose_file()["secrets"].values():
        assert secret["file"].startswith("./secrets/")
    assert (COMPOSE / "secrets" / ".gitignore").read_text().splitlines()[-2:] == ["*", "!.gitignore"]


@pytest.mark.unit
def test_each_database_is_closed_to_every_role_but_its_own() -> None:
    script = (COMPOSE / "postgres" / "init-databases.sh").read_text()
    assert 'REVOKE ALL ON DATABASE :"name" FROM PUBLIC;' in script
    assert 'CREATE DATABASE :"name" OWNER :"name";' in script
    for name in SERVICES:
        assert name in script.split("for name in", 1)[1].split(";", 1)[0]


@pytest.mark.integration
def test_nats_server_accepts_the_cluster_configuration(tmp_path: Path) -> None:
    conf = (COMPOSE / "nats" / "nats.conf").read_text()
    assert "sync_interval: always" in conf
    (tmp_path / "nats.conf").write_text(conf.replace("/data/jetstream", str(tmp_path / "js")))
    # B's generator writes the real one; a user is enough for the syntax check
    (tmp_path / "auth.conf").write_text('authorization { users = [ { user: "probe", password: "x" } ] }\n')
    env = dict(compose_file()["services"]["nats-0"]["environment"])
    result = subprocess.run(
        [nats_server_binary(), "-c", str(tmp_path / "nats.conf"), "-t"],
        capture_output=True,
        text=True,
        env={**os.environ, **{k: str(v) for k, v in env.items()}},
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "configuration file" in (result.stdout + result.stderr) and "is valid" in (result.stdout + result.stderr)


@pytest.mark.unit
def test_the_realm_gives_tokens_the_roles_and_claims_the_services_read() -> None:
    realm = json.loads((COMPOSE / "keycloak" / "quartiersnetz-realm.json").read_text())
    assert {role["name"] for role in realm["roles"]["realm"]} == {str(role) for role in Role}
    defaults = ServiceSettings.model_fields
    mappers = {m["name"]: m["config"] for scope in realm["clientScopes"] for m in scope["protocolMappers"]}
    claims = {config.get("claim.name") for config in mappers.values()}
    for setting in ("auth_roles_claim", "auth_org_claim", "auth_team_claim"):
        assert defaults[setting].default in claims
    assert any(c.get("included.custom.audience") == defaults["auth_audience"].default for c in mappers.values())
    for name in SERVICES:
        env = compose_environment(name)
        assert env[f"QN_{name.upper()}_AUTH_ISSUER"].endswith(f"/realms/{realm['realm']}")
    # Keycloak fills ${NAME} placeholders of an imported realm from its environment
    placeholders = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", json.dumps(realm)))
    assert placeholders == {"PORTAL_OIDC_CLIENT_SECRET", "QN_PORTAL_URL"}
    assert placeholders <= set(compose_file()["services"]["keycloak"]["environment"])


@pytest.mark.unit
def test_prometheus_scrapes_every_service_that_serves() -> None:
    import yaml

    config = yaml.safe_load((COMPOSE / "prometheus" / "prometheus.yml").read_text())
    targets = {t for job in config["scrape_configs"] for group in job["static_configs"] for t in group["targets"]}
    served = {
        name for name, s in compose_file()["services"].items() if str(s.get("image", "")).startswith("${QN_IMAGE")
    }
    served -= {name for name in served if name.endswith("-migrate") or name == "streams"}
    assert targets == {f"{name}:8000" for name in served}
