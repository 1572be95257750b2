"""The authorisation matrix of a service: every operation of its OpenAPI document x every role
(and no token at all) x its own and another's record, where the route names a record with an
owner. Each cell is checked against a table written in the test itself -- never read from the
service's access policy, so that a wrong policy shows up as a wrong cell.

    TABLE = {
        "GET /matches/{match_id}": Row(STAFF | {"volunteer"}, own_only={"volunteer"}, owned=True),
        "GET /healthz": PUBLIC,
    }

A cell is *refused* when the answer is 403 (401 without a token). It is *allowed* when the
answer is a 2xx -- the requests are built to succeed -- and the records in the answer belong to
the owner the cell is about: the volunteer's own proposal, the carrier's own bookings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from qn_infra.auth import Role

OWN, OTHER = "own", "other"
CALLERS: tuple[str | None, ...] = (*(role.value for role in Role), None)
"""Every role, and None: a request without a token."""


@dataclass(frozen=True)
class Row:
    """What the table expects of one operation."""

    roles: frozenset[str] = frozenset()
    """Who may call it at all (403 for every other role, 401 without a token)."""
    own_only: frozenset[str] = frozenset()
    """Of those, who acts on their own records only: refused on another's record (an owned
    route), or shown only their own records (a listing)."""
    owned: bool = False
    """The path names a record with an owner: the cell is tried on an own and another's record."""
    public: bool = False


def row(roles: Iterable[str], *, own_only: Iterable[str] = (), owned: bool = False) -> Row:
    return Row(frozenset(roles), frozenset(own_only), owned)


PUBLIC = Row(public=True)


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)


class World(Protocol):
    """A running service with own and other records set up through its API."""

    client: httpx.Client

    def headers(self, role: str | None) -> dict[str, str]:
        """The token of `role` (none for None), with the claims that make the own records its own."""
        ...

    def call(self, operation: str, owner: str | None, *, fresh: bool) -> Call:
        """The request for one cell; with `fresh`, on a record no earlier cell has changed."""
        ...

    def owners(self, operation: str, body: Any) -> set[str] | None:
        """Whose records (OWN, OTHER) an answer shows; None where it shows no owned records."""
        ...

    def after(self, operation: str, owner: str | None, response: httpx.Response) -> None:
        """Puts back what a cell changed that later cells rely on."""
        ...


def operations(openapi: dict[str, Any]) -> list[str]:
    """Every operation of an OpenAPI document, as "METHOD /path/{template}"."""
    return sorted(
        f"{method.upper()} {path}"
        for path, item in openapi.get("paths", {}).items()
        for method in item
        if method in ("get", "put", "post", "patch", "delete")
    )


def _missing(operation: str) -> str:
    return f"{operation}: no row in this test's TABLE -- add one: which roles may call it, who only on their own"


def untabled(openapi: dict[str, Any], table: dict[str, Row]) -> list[str]:
    """Operations without a row and rows without an operation, each with what to do about it."""
    found = operations(openapi)
    missing = [_missing(op) for op in found if op not in table]
    stale = [f"{op}: a row in TABLE but no such operation -- remove the row" for op in table if op not in found]
    return missing + stale


def allowed(row: Row, role: str | None, owner: str | None) -> bool:
    if row.public:
        return True
    if role is None or role not in row.roles:
        return False
    return not (owner == OTHER and role in row.own_only)


def expected_owners(row: Row, role: str | None, owner: str | None) -> set[str]:
    if owner is not None:
        return {owner}
    return {OWN} if role in row.own_only else {OWN, OTHER}


def _cell(operation: str, role: str | None, owner: str | None) -> str:
    on = f" on {owner} record" if owner else ""
    return f"{operation} as {role or 'anonymous (no token)'}{on}"


def judge(
    row: Row, operation: str, role: str | None, owner: str | None, world: World, response: httpx.Response
) -> str | None:
    """What is wrong with one cell's answer, or None."""
    cell, status = _cell(operation, role, owner), response.status_code
    if not allowed(row, role, owner):
        wanted = 401 if role is None else 403
        return None if status == wanted else f"{cell}: expected {wanted}, got {status}: {response.text[:300]}"
    if not 200 <= status < 300:
        return f"{cell}: expected to be allowed with a 2xx, got {status}: {response.text[:300]}"
    # only a JSON answer lists records; a page or a calendar feed is judged by its status alone
    is_json = response.headers.get("content-type", "").startswith("application/json")
    shown = world.owners(operation, response.json()) if response.content and is_json else None
    if shown is not None and shown != expected_owners(row, role, owner):
        return f"{cell}: shows records of {sorted(shown)}, expected {sorted(expected_owners(row, role, owner))}"
    return None


def walk(world: World, openapi: dict[str, Any], table: dict[str, Row], role: str | None) -> list[str]:
    """Every cell of one caller's line of the matrix; returns what is wrong, cell by cell.

    An allowed cell gets a fresh record where the operation changes it (an accepted proposal
    cannot be accepted again); a refused cell uses the long-lived one, which it must not change."""
    problems = []
    for operation in operations(openapi):
        row_ = table.get(operation)
        if row_ is None:
            problems.append(_missing(operation))
            continue
        for owner in (OWN, OTHER) if row_.owned else (None,):
            call = world.call(operation, owner, fresh=allowed(row_, role, owner))
            response = world.client.request(
                call.method, call.url, json=call.json, params=call.params, headers=world.headers(role)
            )
            problem = judge(row_, operation, role, owner, world, response)
            if problem:
                problems.append(problem)
            world.after(operation, owner, response)
    return problems
