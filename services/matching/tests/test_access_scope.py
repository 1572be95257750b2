"""Matching's scope rule as plain functions: a volunteer sees and answers only for the record
linked to their own login; coordinators and admins for everyone."""

from __future__ import annotations

import pytest

from qn_infra.auth import Principal
from qn_matching import access
from qn_matching.matches.domain import NotYourProposal
from qn_matching.volunteers.domain import NotYourVolunteerRecord

pytestmark = pytest.mark.unit


def caller(*roles: str, subject: str = "renate.k") -> Principal:
    return Principal(subject=subject, roles=frozenset(roles))


def test_a_volunteer_sees_the_record_linked_to_their_login_and_no_other() -> None:
    renate = caller("volunteer")
    assert access.may_see(renate, "renate.k")
    assert not access.may_see(renate, "dmitri.s")
    with pytest.raises(NotYourVolunteerRecord):
        access.check_sees_volunteer(renate, "dmitri.s")
    with pytest.raises(NotYourProposal):
        access.check_answers_for(renate, "dmitri.s")


def test_a_record_without_a_linked_login_is_nobodys_own() -> None:
    assert not access.may_see(caller("volunteer"), None)


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinators_and_admins_see_and_answer_for_every_volunteer(role: str) -> None:
    staff = caller(role, subject="koordination")
    for account in ("renate.k", "dmitri.s", None):
        access.check_sees_volunteer(staff, account)
        access.check_answers_for(staff, account)


@pytest.mark.parametrize("role", ["team_staff", "kuemmerer", "carrier", "committee"])
def test_a_login_that_matches_an_account_is_not_enough_without_the_volunteer_role(role: str) -> None:
    assert not access.may_see(caller(role), "renate.k")
