"""The container image, read as a reviewer would (no Docker engine here to build it): small
official base, multi-stage, non-root, health check, labels, nothing secret; `make images` says
plainly when it cannot build."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from qn_infra.healthcheck import healthy
from qn_testkit.services import REPO

DOCKERFILE = REPO / "deploy" / "images" / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


@pytest.mark.unit
def test_the_image_is_built_in_stages_from_the_official_slim_python() -> None:
    steps = instructions()
    base = next(value for key, value in steps if key == "ARG" and value.startswith("PYTHON_IMAGE="))
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11-slim(-\w+)?", base)
    stages = [value for key, value in steps if key == "FROM"]
    assert stages == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE} AS runtime"]
    runtime = steps[[v for _, v in steps].index("${PYTHON_IMAGE} AS runtime") :]
    assert any(key == "COPY" and value.startswith("--from=build") for key, value in runtime)


@pytest.mark.unit
def test_the_image_runs_as_a_numeric_non_root_user_with_a_health_check_and_labels() -> None:
    steps = dict(instructions())  # the last of each instruction (the runtime stage) counts
    user = steps["USER"].split(":")
    assert all(part.isdigit() and int(part) >= 1000 for part in user)
    assert "qn_infra.healthcheck" in steps["HEALTHCHECK"]
    labels = DOCKERFILE.read_text()
    for label in ("title", "description", "licenses", "version", "revision", "created"):
        assert f"org.opencontainers.image.{label}=" in labels
    assert steps["WORKDIR"] == "/tmp"  # nothing is written elsewhere: a read-only root file system works


@pytest.mark.unit
def test_nothing_secret_is_baked_into_the_image() -> None:
    for key, value in instructions():
        if key in ("ENV", "ARG"):
            assert not re.search(r"PASSWORD|SECRET|TOKEN|CREDENTIALS|KEY", value, re.IGNORECASE), value
    ignored = (DOCKERFILE.parent / "Dockerfile.dockerignore").read_text().splitlines()
    assert "*" in ignored  # only what is listed after it reaches the build
    assert "!var/" not in ignored


@pytest.mark.unit
def test_the_health_check_fails_when_nothing_answers() -> None:
    assert healthy("http://127.0.0.1:9/healthz", timeout=0.5) is False


@pytest.mark.unit
def test_the_health_check_passes_when_healthz_answers_200() -> None:
    class Alive(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Alive)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert healthy(f"http://127.0.0.1:{server.server_port}/healthz")
        assert not healthy(f"http://127.0.0.1:{server.server_port}/elsewhere")
    finally:
        server.shutdown()


@pytest.mark.unit
def test_make_images_says_so_where_no_docker_engine_answers() -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    if shutil.which("docker") and subprocess.run(["docker", "info"], capture_output=True).returncode == 0:
        pytest.skip("a Docker engine answers here: `make images` would build for minutes")
    result = subprocess.run(["make", "-s", "images"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "no Docker engine answers here" in result.stdout
    assert "no image was built" in result.stdout
