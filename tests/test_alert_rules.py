"""The alert rules, checked without promtool: every expression parses as PromQL, and every metric
and label it reads is one the services export (or Prometheus adds when scraping)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

import qn_infra.metrics  # noqa: F401 -- registers the metrics the rules read
from qn_testkit.deployment import DEPLOY

RULES = DEPLOY / "observability" / "alerts.yml"
SCRAPE_LABELS = {"job", "instance", "service"}
"""Added by the scrape configuration (compose: static labels; Kubernetes: relabelled from the pod)."""
PROMETHEUS_OWN = {"up": set()}
WANTED = {
    "DeadLettersGrowing",
    "OutboxEventWaitingTooLong",
    "ConsumerLagging",
    "ConsumerLoopRestarting",
    "OutboxRelayRestarting",
    "AuthorisationFailuresSpiking",
}

promql_parser = pytest.importorskip("promql_parser", reason="promql-parser is missing (make install installs it)")


def rules() -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def exported() -> dict[str, set[str]]:
    """Sample name -> label names, for every metric qn_infra registers."""
    names: dict[str, set[str]] = dict(PROMETHEUS_OWN)
    for collector in list(REGISTRY._collector_to_names):  # the registry has no public list of collectors
        labels = set(getattr(collector, "_labelnames", ()))
        for name in REGISTRY._collector_to_names[collector]:
            names[name] = labels | {"le"} if name.endswith("_bucket") else labels
    return names


def selectors(node: Any) -> Iterator[Any]:
    if type(node).__name__ == "VectorSelector":
        yield node
        return
    for attribute in ("lhs", "rhs", "expr", "vector_selector", "param"):
        child = getattr(node, attribute, None)
        if child is not None and not isinstance(child, str | int | float):
            yield from selectors(child)
    for child in getattr(node, "args", None) or []:
        yield from selectors(child)


@pytest.mark.unit
def test_the_rules_cover_what_operations_must_hear_about() -> None:
    assert {rule["alert"] for rule in rules()} >= WANTED
    for rule in rules():
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]


@pytest.mark.unit
@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["alert"])
def test_each_expression_parses_and_reads_only_exported_metrics_and_labels(rule: dict[str, Any]) -> None:
    expression = promql_parser.parse(rule["expr"])
    metrics = exported()
    found = list(selectors(expression))
    assert found, "an expression that reads no metric"
    for selector in found:
        assert selector.name in metrics, f"{selector.name} is not exported by the services"
        for matcher in selector.matchers.matchers:
            assert matcher.name in metrics[selector.name] | SCRAPE_LABELS, f"{selector.name} has no {matcher.name}"


@pytest.mark.unit
def test_the_outbox_alert_fires_after_ten_minutes() -> None:
    [rule] = [rule for rule in rules() if rule["alert"] == "OutboxEventWaitingTooLong"]
    assert rule["expr"].endswith("qn_outbox_oldest_pending_age_seconds) > 600")
