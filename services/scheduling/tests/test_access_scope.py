"""Scheduling's scope rule as plain functions: a carrier books, reads and cancels only its own
organisation's bookings; staff act for every organisation."""

from __future__ import annotations

import pytest

from qn_infra.auth import Principal
from qn_scheduling import access
from qn_scheduling.bookings.domain import NotYourOrganisation

pytestmark = pytest.mark.unit


def caller(*roles: str, org: str | None = None) -> Principal:
    return Principal(subject="someone", roles=frozenset(roles), org=org)


CARITAS = caller("carrier", org="caritas-dessau")


def test_a_carrier_books_for_its_own_organisation_by_default() -> None:
    assert access.booking_org(None, CARITAS) == "caritas-dessau"


def test_a_carrier_cannot_book_for_another_organisation() -> None:
    with pytest.raises(NotYourOrganisation) as caught:
        access.booking_org("awo-dessau", CARITAS)
    assert caught.value.field == "org_id"


def test_a_carrier_without_an_organisation_in_its_token_sees_and_books_nothing() -> None:
    nameless = caller("carrier")
    with pytest.raises(NotYourOrganisation):
        access.booking_org(None, nameless)
    assert access.visible_orgs(nameless) == frozenset()
    assert not access.may_see(nameless, None)


def test_a_carrier_sees_its_own_bookings_only() -> None:
    assert access.visible_orgs(CARITAS) == {"caritas-dessau"}
    assert access.may_see(CARITAS, "caritas-dessau")
    assert not access.may_see(CARITAS, "awo-dessau")
    assert not access.may_see(CARITAS, None), "a booking for nobody in particular is not the carrier's"


@pytest.mark.parametrize("role", ["coordinator", "team_staff", "admin"])
def test_staff_book_for_any_organisation_and_see_every_booking(role: str) -> None:
    staff = caller(role, org="drk-dessau")
    assert access.booking_org("caritas-dessau", staff) == "caritas-dessau"
    assert access.visible_orgs(staff) is None
    assert access.may_see(staff, "awo-dessau") and access.may_see(staff, None)


def test_a_carrier_that_is_also_a_coordinator_acts_for_every_organisation() -> None:
    assert access.booking_org("awo-dessau", caller("carrier", "coordinator", org="caritas-dessau")) == "awo-dessau"
