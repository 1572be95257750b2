"""A service's access policy as one table: for every route (method and path template), which roles
may call it and what they then see or change. Routes take their guard from the table by name,
and the app refuses to start when a route has no entry or an entry has no route -- so a new route
cannot go unprotected by oversight, and the matrix test can walk the table.

    POLICY = AccessPolicy({
        "GET /concerns/{concern_id}": Rule.roles(STAFF, scope="own team's concerns; coordinators all"),
        "GET /healthz": Rule.public("liveness probe"),
    })

    @router.get("/concerns/{concern_id}")
    def get_concern(..., principal: Annotated[Principal, POLICY.guard("GET /concerns/{concern_id}")]): ...

The roles decide who may call a route at all (403 otherwise); *what* a caller sees on it (their
team's records, their carrier's referrals) is decided by the service's scope functions, which
live in the same module as its table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from .auth import Role, current_principal, require


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    """Roles that may call the route; empty for a public route."""
    scope: str
    """What a caller then sees or changes, in words (documentation and the matrix test)."""
    public: bool = False

    @classmethod
    def roles(cls, roles: Iterable[Role | str], *, scope: str) -> Rule:
        # a misspelt role would make a rule nobody can meet, and a bare string would be read
        # letter by letter: both are refused when the table is built, not found in production
        if isinstance(roles, str):
            raise ValueError(f"roles must be a collection of roles, not the string {roles!r}")
        allowed = frozenset(str(r) for r in roles)
        if not allowed:
            raise ValueError("a non-public route needs at least one role")
        unknown = sorted(allowed - {r.value for r in Role})
        if unknown:
            raise ValueError(f"unknown role(s) {unknown}; roles are {sorted(r.value for r in Role)}")
        return cls(allowed, _said(scope))

    @classmethod
    def public_route(cls, scope: str) -> Rule:
        """No token needed (health, metrics, the public programme, self-registration)."""
        return cls(frozenset(), _said(scope), public=True)


def _said(scope: str) -> str:
    if not scope.strip():
        raise ValueError("say in words what a caller sees on the route (scope)")
    return scope


class AccessPolicyError(RuntimeError):
    """The routes of an app and its access policy do not agree."""


# Routes every service gets from `create_service_app`; their rules are the same everywhere.
OPERATIONS_RULES: dict[str, Rule] = {
    "GET /healthz": Rule.public_route("liveness probe; says nothing but 'alive'"),
    "GET /readyz": Rule.public_route("readiness probe: database, broker, consumers (no data)"),
    "GET /docs": Rule.public_route("the API documentation page (no data)"),
    "GET /docs/oauth2-redirect": Rule.public_route("part of the API documentation page"),
    "GET /redoc": Rule.public_route("the API documentation page, another layout (no data)"),
}


class AccessPolicy:
    def __init__(self, rules: Mapping[str, Rule]) -> None:
        for key in rules:
            _split(key)
        self.rules: dict[str, Rule] = {**OPERATIONS_RULES, **rules}
        self._guards: dict[str, Any] = {}

    def guard(self, key: str) -> Any:
        """The FastAPI dependency of route `key` ("GET /path/{id}"): the verified caller, 401
        without a valid token, 403 without one of the rule's roles."""
        rule = self.rules.get(key)
        if rule is None:
            raise AccessPolicyError(f"no access rule for {key!r}: add it to the service's access policy")
        if rule.public:
            raise AccessPolicyError(f"{key!r} is public: it takes no guard")
        if key not in self._guards:
            dependency = require(*sorted(rule.allowed))
            dependency.dependency.__qn_route_key__ = key  # type: ignore[attr-defined]
            self._guards[key] = dependency
        return self._guards[key]

    def rule_for(self, method: str, path: str) -> Rule:
        return self.rules[f"{method.upper()} {path}"]

    def verify(self, app: FastAPI) -> None:
        """Every route has a rule and uses its own guard; every rule has a route; a public route
        asks for no token. Raises `AccessPolicyError` listing every mismatch."""
        problems: list[str] = []
        seen: set[str] = set()
        for path, methods, route in api_routes(app):
            for method in sorted(methods):
                key = f"{method} {path}"
                seen.add(key)
                rule = self.rules.get(key)
                guards = _guard_keys(route)
                authenticated = _needs_token(route)
                if rule is None:
                    problems.append(f"{key}: no rule in the access policy")
                elif rule.public:
                    if authenticated:
                        problems.append(f"{key}: public in the policy but asks for a token")
                elif guards != {key}:
                    problems.append(f"{key}: must use POLICY.guard({key!r}), uses {sorted(guards) or 'none'}")
        for key in self.rules:
            if key not in seen:
                problems.append(f"{key}: rule without a route")
        if problems:
            raise AccessPolicyError("access policy and routes disagree:\n  " + "\n  ".join(problems))

    def describe(self, openapi: dict[str, Any]) -> None:
        """Writes each rule into an OpenAPI document (`x-access`), so the API docs say who may call
        a route and what they see there."""
        for path, operations in openapi.get("paths", {}).items():
            for method, operation in operations.items():
                rule = self.rules.get(f"{method.upper()} {path}")
                if rule is not None and isinstance(operation, dict):
                    operation["x-access"] = {"public": rule.public, "roles": sorted(rule.allowed), "scope": rule.scope}


def api_routes(app: FastAPI) -> list[tuple[str, set[str], APIRoute]]:
    """(path template, methods, route) of every API route, routers included."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path:
            found.append((context.path, set(context.methods or route.methods or ()), route))
    return found


def _split(key: str) -> tuple[str, str]:
    method, _, path = key.partition(" ")
    if not method.isupper() or not path.startswith("/"):
        raise AccessPolicyError(f"access rule key {key!r} must look like 'GET /path/{{id}}'")
    return method, path


def _walk(dependant: Any) -> Iterable[Any]:
    for sub in dependant.dependencies:
        yield sub
        yield from _walk(sub)


def _guard_keys(route: APIRoute) -> set[str]:
    return {key for d in _walk(route.dependant) if (key := getattr(d.call, "__qn_route_key__", None))}


def _needs_token(route: APIRoute) -> bool:
    return any(d.call is current_principal for d in _walk(route.dependant))


def route_needs_token(route: APIRoute) -> bool:
    """Whether a route's dependencies ask for the caller's token (the edge answers 401 before
    reading the body of such a route)."""
    return _needs_token(route)
