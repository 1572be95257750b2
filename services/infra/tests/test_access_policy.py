"""The access table as a service declares it: a route without a rule, a rule without a route, a
route wearing another route's guard and a misspelt role are all refused before the app serves.

No `from __future__ import annotations` here: the routes are declared inside the tests, and
FastAPI can only read a guard from an annotation it can evaluate (a missing one is what
`verify` reports as "uses none")."""

from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi_offline import FastAPIOffline

from qn_infra.access import AccessPolicy, AccessPolicyError, Rule
from qn_infra.auth import Principal, Role, current_principal

pytestmark = pytest.mark.unit

STAFF = (Role.COORDINATOR, Role.ADMIN)


def app_with(router: APIRouter) -> FastAPI:
    """An app like every service's: documentation pages, probes, and the router under test."""
    app = FastAPIOffline()
    app.include_router(router)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {}

    @app.get("/readyz")
    def readyz() -> dict[str, str]:
        return {}

    return app


def test_a_policy_whose_rules_and_routes_agree_lets_the_app_start() -> None:
    table = AccessPolicy(
        {
            "GET /things/{thing_id}": Rule.roles(STAFF, scope="any thing"),
        }
    )
    router = APIRouter()

    @router.get("/things/{thing_id}")
    def thing(thing_id: str, _: Annotated[Principal, table.guard("GET /things/{thing_id}")]) -> dict[str, str]:
        return {}

    table.verify(app_with(router))


def test_a_route_without_a_rule_and_a_rule_without_a_route_are_both_named() -> None:
    table = AccessPolicy(
        {
            "GET /things": Rule.roles(STAFF, scope="every thing"),
            "GET /gone": Rule.roles(STAFF, scope="nothing any more"),
        }
    )
    router = APIRouter()

    @router.get("/things")
    def things(_: Annotated[Principal, table.guard("GET /things")]) -> list[str]:
        return []

    @router.post("/things")
    def add_thing(_: Annotated[Principal, Depends(current_principal)]) -> None:
        return None

    with pytest.raises(AccessPolicyError) as refused:
        table.verify(app_with(router))
    assert str(refused.value).splitlines()[1:] == [
        "  POST /things: no rule in the access policy",
        "  GET /gone: rule without a route",
    ]


def test_a_route_wearing_another_routes_guard_is_refused() -> None:
    table = AccessPolicy(
        {
            "GET /things": Rule.roles([*STAFF, Role.VOLUNTEER], scope="every thing"),
            "DELETE /things/{thing_id}": Rule.roles(STAFF, scope="any thing"),
        }
    )
    router = APIRouter()

    @router.get("/things")
    def things(_: Annotated[Principal, table.guard("GET /things")]) -> list[str]:
        return []

    @router.delete("/things/{thing_id}")
    def delete_thing(thing_id: str, _: Annotated[Principal, table.guard("GET /things")]) -> None:
        return None

    with pytest.raises(AccessPolicyError) as refused:
        table.verify(app_with(router))
    assert str(refused.value).splitlines()[1:] == [
        "  DELETE /things/{thing_id}: must use POLICY.guard('DELETE /things/{thing_id}'), uses ['GET /things']"
    ]


def test_a_public_route_that_asks_for_a_token_is_refused() -> None:
    table = AccessPolicy(
        {
            "GET /programme": Rule.public_route("the week's public programme"),
        }
    )
    router = APIRouter()

    @router.get("/programme")
    def programme(_: Annotated[Principal, Depends(current_principal)]) -> list[str]:
        return []

    with pytest.raises(AccessPolicyError) as refused:
        table.verify(app_with(router))
    assert "GET /programme: public in the policy but asks for a token" in str(refused.value)


@pytest.mark.parametrize("roles", [["coordinater"], "admin", []])
def test_a_misspelt_role_a_bare_string_or_no_role_at_all_is_refused_when_the_table_is_built(roles) -> None:
    with pytest.raises(ValueError):
        Rule.roles(roles, scope="every thing")


def test_a_rule_must_say_what_the_caller_sees() -> None:
    with pytest.raises(ValueError):
        Rule.roles(STAFF, scope=" ")
    with pytest.raises(ValueError):
        Rule.public_route("")
