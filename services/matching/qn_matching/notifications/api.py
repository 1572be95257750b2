"""What became of the reminders: the coordinator sees which went out and why one did not (no
e-mail address given, no coordinator mailbox set, the mail server refused it)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from qn_infra.auth import Principal

from ..access import POLICY
from .models import SentReminder
from .reminders import ReminderKind, ReminderStatus

router = APIRouter(tags=["reminders"])


class ReminderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str = Field(description="task_starts, proposal_expires, vetting_due or hours_waiting.")
    recipient: str = Field(description="volunteer or coordinator.")
    status: str = Field(
        description="sent; no_address (the volunteer gave no e-mail address, or no coordinator mailbox is set); "
        "failed (the mail server refused it, tried again); gave_up (refused too often); claimed (being sent, "
        "or the service stopped while sending: never sent twice)."
    )
    volunteer_id: uuid.UUID | None
    match_id: uuid.UUID | None
    attempts: int
    created_at: datetime
    updated_at: datetime


@router.get("/reminders", response_model=list[ReminderOut], summary="Reminders and what became of them, newest first")
def list_reminders(
    request: Request,
    _: Annotated[Principal, POLICY.guard("GET /reminders")],
    status: Annotated[ReminderStatus | None, Query(description="Only this outcome, e.g. no_address.")] = None,
    kind: Annotated[ReminderKind | None, Query(description="Only this kind.")] = None,
    volunteer_id: Annotated[uuid.UUID | None, Query(description="Only about this volunteer.")] = None,
) -> list[ReminderOut]:
    query = select(SentReminder).order_by(SentReminder.created_at.desc(), SentReminder.key).limit(500)
    if status:
        query = query.where(SentReminder.status == status.value)
    if kind:
        query = query.where(SentReminder.kind == kind.value)
    if volunteer_id:
        query = query.where(SentReminder.volunteer_id == volunteer_id)
    uow = request.app.state.runtime.unit_of_work()
    with uow:
        return [ReminderOut.model_validate(r) for r in uow.session.scalars(query)]
