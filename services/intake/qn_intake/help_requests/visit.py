"""The one place a volunteer learns whom to help and where: the person's first name, address and
phone, for the volunteer who accepted the task -- or the coordinator who accepted it on their
behalf -- while the task is live and the person's neighbourly-help consent is active. Intake knows
who accepted only from `match.accepted`, by login pseudonym (decision 0013). Every read goes into
the audit log in the same transaction; a refused read writes nothing and reveals nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime

from qn_contracts.vocabulary import ConsentPurpose
from qn_infra.auth import Principal, Role
from qn_infra.pseudonyms import LoginPseudonyms
from qn_infra.unit_of_work import UnitOfWork

from ..audit.log import record_read
from ..concerns.models import Concern
from ..consent.queries import require_consent
from ..persons.models import Person
from . import domain
from .domain import HelpStatus
from .models import HelpAssignment, HelpRequest

PURPOSE = ConsentPurpose.NEIGHBOURLY_HELP.value


@dataclass(frozen=True)
class Visit:
    """What a volunteer needs to help: no family name, no birth year, no e-mail."""

    help_kind: str
    given_name: str | None
    phone: str | None
    street: str | None
    house_number: str | None
    postcode: str | None

    def present(self) -> list[str]:
        """The personal fields that hold something: what the audit log records as read."""
        return [f.name for f in fields(self) if f.name != "help_kind" and getattr(self, f.name) is not None]


def read_visit(
    uow: UnitOfWork,
    help_request_id: uuid.UUID,
    *,
    principal: Principal,
    pseudonyms: LoginPseudonyms | None,
    now: datetime,
) -> Visit:
    """The person's contact for the caller's accepted task, read and audited in one transaction."""
    with uow:
        help_request = uow.session.get(HelpRequest, help_request_id)
        if help_request is None:
            raise domain.not_found(help_request_id)
        if pseudonyms is None:
            # without the key nobody can be recognised: refused (fails closed), and the start-up
            # log said so (pseudonym_key_missing)
            raise domain.no_pseudonym_key()
        assignment = _callers_assignment(help_request, principal, pseudonyms)
        if assignment is None:
            raise domain.not_your_task()
        if assignment.ended_at is not None or help_request.status != HelpStatus.MATCHED:
            raise domain.task_ended(assignment.ended_reason or help_request.status)
        concern = uow.session.get(Concern, help_request.concern_id)
        person = uow.session.get(Person, concern.person_id) if concern and concern.person_id else None
        if person is None or person.erased_at is not None:
            raise domain.task_ended("person_erased")
        require_consent(uow.session, person.id, PURPOSE, now=now)
        visit = Visit(
            help_kind=help_request.help_kind,
            given_name=person.given_name,
            phone=person.phone,
            street=person.street,
            house_number=person.house_number,
            postcode=person.postcode,
        )
        by_proxy = not pseudonyms.is_of(assignment.volunteer_login, principal.subject)
        record_read(
            uow.session,
            principal,
            at=now,
            purpose=PURPOSE,
            subject_type="person",
            subject_id=str(person.id),
            fields=visit.present(),
            on_behalf_of=str(assignment.volunteer_ref) if by_proxy else None,
        )
        uow.commit()
        return visit


def _callers_assignment(
    help_request: HelpRequest, principal: Principal, pseudonyms: LoginPseudonyms
) -> HelpAssignment | None:
    """The caller's assignment of this request, newest first: a volunteer's own, or one a
    coordinator accepted on a volunteer's behalf."""
    for assignment in reversed(help_request.assignments):
        if principal.has_any(Role.VOLUNTEER) and pseudonyms.is_of(assignment.volunteer_login, principal.subject):
            return assignment
        if principal.has_any(Role.COORDINATOR) and pseudonyms.is_of(assignment.proxy_login, principal.subject):
            return assignment
    return None
