"""Reading the deployment files as their tools would: compose's variable interpolation and the
environment each container gets, for tests that need no Docker engine or cluster."""

from __future__ import annotations

import re
from typing import Any

import yaml

from .services import REPO

DEPLOY = REPO / "deploy"
COMPOSE_FILE = DEPLOY / "compose" / "compose.yaml"
SCHEMAS = REPO.parent / "shared" / "data" / "schemas"
"""The Compose Specification's schema lies beside the repository (shared/), not in it."""
SERVICES = ("intake", "matching", "scheduling", "reporting")

_VARIABLE = re.compile(r"\$\{(\w+)(?::?[-?]([^}]*))?\}")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}`; `$$` is a literal `$`."""

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if env.get(name):
            return env[name]
        if "?" in match.group(0).split(name, 1)[1][:2]:
            raise KeyError(f"{name} must be set: {default}")
        return default or ""

    return _VARIABLE.sub(substitute, value).replace("$$", "$")


def compose_file() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE_FILE.read_text()))


def compose_environment(service: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment compose gives a service's container (its `environment:` interpolated)."""
    values = compose_file()["services"][service].get("environment") or {}
    if isinstance(values, list):
        values = dict(item.split("=", 1) for item in values)
    return {key: interpolate(str(value), env or {}) for key, value in values.items()}
