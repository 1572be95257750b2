"""HTTP routes for volunteers: translate, call a handler, translate back. Who may call each
route, and what they see, is in `..access`."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from qn_contracts.vocabulary import QuarterId, VolunteerStatus
from qn_infra.auth import Principal
from qn_infra.days import Day
from qn_infra.openapi_problems import conflict

from .. import access
from ..access import POLICY
from . import domain, handlers, vetting
from .schemas import (
    AbsenceIn,
    ApplicationIn,
    ApplicationReceived,
    ProfileIn,
    SlotIn,
    StatusIn,
    VettingIn,
    VolunteerIn,
    VolunteerOut,
)

router = APIRouter(prefix="/volunteers", tags=["volunteers"])


@router.post(
    "",
    status_code=201,
    response_model=VolunteerOut,
    summary="Register a volunteer (Ehrenamtliche)",
    responses=conflict("The account is already linked to another volunteer"),
)
def register_volunteer(
    body: VolunteerIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal, POLICY.guard("POST /volunteers")],
) -> VolunteerOut:
    command = domain.RegisterVolunteer(
        display_name=body.display_name,
        contact=body.contact,
        email=body.email,
        account=body.account,
        quarter_id=body.quarter_id,
        skills=tuple(dict.fromkeys(body.skills)),
        languages=tuple(dict.fromkeys(body.languages)),
        availability=_slots(body.availability),
        reach=body.reach,
        reach_km=body.reach_km,
        max_open_tasks=body.max_open_tasks,
        skill_levels=body.skill_levels,
    )
    ctx = request.app.state.matching
    runtime = request.app.state.runtime
    volunteer_id = handlers.register_volunteer(
        command,
        uow=runtime.unit_of_work(),
        city=ctx.city,
        known_skills=ctx.skills,
        registered_by=principal.subject,
        now=runtime.clock.now(),
        max_reach_km=ctx.policy.max_reach_km,
    )
    response.headers["Location"] = f"/volunteers/{volunteer_id}"
    return VolunteerOut.model_validate(handlers.get_volunteer(volunteer_id, uow=runtime.unit_of_work()))


def _slots(body: list[SlotIn]) -> tuple[domain.Slot, ...]:
    return tuple(domain.Slot(s.weekday, time.fromisoformat(s.starts), time.fromisoformat(s.ends)) for s in body)


@router.post(
    "/applications",
    status_code=202,
    response_model=ApplicationReceived,
    summary="Offer to help (self-registration, no login)",
    description="Creates a prospective volunteer whom a coordinator reviews and approves or denies. Needs "
    "no token; small bodies only, and a few requests per address and minute. The answer repeats nothing "
    "that was sent: only a reference to quote when calling the team.",
)
def apply(body: ApplicationIn, request: Request) -> ApplicationReceived:
    command = domain.RegisterVolunteer(
        display_name=body.display_name,
        contact=body.contact,
        email=body.email,
        quarter_id=body.quarter_id,
        skills=tuple(dict.fromkeys(body.skills)),
        languages=tuple(dict.fromkeys(body.languages)),
        availability=_slots(body.availability),
        reach=body.reach,
        reach_km=body.reach_km,
        max_open_tasks=body.max_open_tasks,
    )
    ctx = request.app.state.matching
    runtime = request.app.state.runtime
    reference = handlers.apply(
        command,
        uow=runtime.unit_of_work(),
        city=ctx.city,
        known_skills=ctx.skills,
        now=runtime.clock.now(),
        max_reach_km=ctx.policy.max_reach_km,
    )
    return ApplicationReceived(reference=reference)


@router.get("", response_model=list[VolunteerOut], summary="Volunteers, in registration order")
def list_volunteers(
    request: Request,
    _: Annotated[Principal, POLICY.guard("GET /volunteers")],
    quarter_id: Annotated[QuarterId | None, Query(description="Only this quarter.")] = None,
    status: Annotated[VolunteerStatus | None, Query(description="Only this status.")] = None,
    vetting_due_by: Annotated[
        Day | None,
        Query(description="Only those whose police certificate is to be seen again by this day (YYYY-MM-DD)."),
    ] = None,
) -> list[VolunteerOut]:
    volunteers = handlers.list_volunteers(
        uow=request.app.state.runtime.unit_of_work(),
        quarter_id=quarter_id,
        status=status.value if status else None,
        vetting_due_by=vetting_due_by,
    )
    return [VolunteerOut.model_validate(v) for v in volunteers]


# declared before /volunteers/{volunteer_id}, which would otherwise take "me" for an id
@router.get(
    "/me",
    response_model=VolunteerOut,
    summary="My own record",
    responses={404: {"description": "No volunteer is linked to the caller's login"}},
)
def get_me(request: Request, principal: Annotated[Principal, POLICY.guard("GET /volunteers/me")]) -> VolunteerOut:
    return VolunteerOut.model_validate(
        handlers.find_by_account(principal.subject, uow=request.app.state.runtime.unit_of_work())
    )


@router.get("/{volunteer_id}", response_model=VolunteerOut, summary="One volunteer")
def get_volunteer(
    volunteer_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /volunteers/{volunteer_id}")],
) -> VolunteerOut:
    return VolunteerOut.model_validate(_visible(request, principal, volunteer_id))


def _visible(request: Request, principal: Principal, volunteer_id: uuid.UUID) -> Any:
    """The volunteer, if the caller may see (and change) their record: 404 or 403 otherwise."""
    volunteer = handlers.get_volunteer(volunteer_id, uow=request.app.state.runtime.unit_of_work())
    access.check_sees_volunteer(principal, volunteer.account)
    return volunteer


@router.patch("/{volunteer_id}", response_model=VolunteerOut, summary="Change skills, languages or availability")
def update_profile(
    volunteer_id: uuid.UUID,
    body: ProfileIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("PATCH /volunteers/{volunteer_id}")],
) -> VolunteerOut:
    _visible(request, principal, volunteer_id)
    runtime = request.app.state.runtime
    change = handlers.ProfileChange(
        changed=frozenset(body.model_fields_set),
        skills=body.skills,
        languages=body.languages,
        availability=_slots(body.availability) if body.availability is not None else None,
        reach=body.reach,
        reach_km=body.reach_km,
        max_open_tasks=body.max_open_tasks,
        email=body.email,
        skill_levels=body.skill_levels,
    )
    ctx = request.app.state.matching
    handlers.update_profile(
        volunteer_id, change, uow=runtime.unit_of_work(), known_skills=ctx.skills, max_reach_km=ctx.policy.max_reach_km
    )
    return VolunteerOut.model_validate(handlers.get_volunteer(volunteer_id, uow=runtime.unit_of_work()))


@router.post(
    "/{volunteer_id}/absences",
    status_code=201,
    response_model=VolunteerOut,
    summary="Pause for a while (holiday, illness): no proposals from the first to the last day",
)
def add_absence(
    volunteer_id: uuid.UUID,
    body: AbsenceIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /volunteers/{volunteer_id}/absences")],
) -> VolunteerOut:
    _visible(request, principal, volunteer_id)
    runtime = request.app.state.runtime
    now = runtime.clock.now()
    handlers.add_absence(
        volunteer_id,
        body.starts_on,
        body.ends_on,
        body.reason,
        uow=runtime.unit_of_work(),
        entered_by=principal.subject,
        now=now,
        today=now.astimezone(request.app.state.matching.city.timezone).date(),
    )
    return VolunteerOut.model_validate(handlers.get_volunteer(volunteer_id, uow=runtime.unit_of_work()))


@router.post(
    "/{volunteer_id}/status",
    response_model=VolunteerOut,
    summary="Approve or deny an applicant; pause, reactivate or archive a volunteer",
    responses=conflict("The current status cannot change to this one (the answer lists what can)"),
)
def change_status(
    volunteer_id: uuid.UUID,
    body: StatusIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /volunteers/{volunteer_id}/status")],
) -> VolunteerOut:
    runtime = request.app.state.runtime
    handlers.change_status(
        volunteer_id,
        VolunteerStatus(body.status.value),
        archive_reason=body.archive_reason,
        account=body.account,
        uow=runtime.unit_of_work(),
        changed_by=principal.subject,
        now=runtime.clock.now(),
    )
    return VolunteerOut.model_validate(handlers.get_volunteer(volunteer_id, uow=runtime.unit_of_work()))


@router.post(
    "/{volunteer_id}/vetting",
    response_model=VolunteerOut,
    summary="Record an inspected extended police certificate (never the document or its content)",
)
def record_vetting(
    volunteer_id: uuid.UUID,
    body: VettingIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /volunteers/{volunteer_id}/vetting")],
) -> VolunteerOut:
    runtime = request.app.state.runtime
    ctx = request.app.state.matching
    now = runtime.clock.now()
    record = vetting.check_vetting(
        inspected_by=body.inspected_by or principal.subject,
        certificate_date=body.certificate_date,
        no_relevant_entry=body.no_relevant_entry,
        recheck_on=body.recheck_on,
        today=now.astimezone(ctx.city.timezone).date(),
        valid_years=ctx.vetting_valid_years,
    )
    handlers.record_vetting(volunteer_id, record, uow=runtime.unit_of_work(), now=now)
    return VolunteerOut.model_validate(handlers.get_volunteer(volunteer_id, uow=runtime.unit_of_work()))
