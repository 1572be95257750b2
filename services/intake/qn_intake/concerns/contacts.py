"""Contacts with the person a concern is about: noted in the concern's history; a contact that
reached the person resets the 'no contact for N days' clock of the early-warning rules."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from .models import Concern, ConcernEvent


def note_contact(
    session: Session,
    concern_id: uuid.UUID,
    *,
    at: datetime,
    actor: str,
    channel: str | None,
    reached: bool,
    note: str | None = None,
    via: str | None = None,
) -> Concern | None:
    """Adds the contact to the open transaction (the caller commits); None if there is no such
    concern. `via` says where it was recorded (e.g. `follow_up`)."""
    concern = session.get(Concern, concern_id, with_for_update=True)
    if concern is None:
        return None
    detail: dict[str, object] = {"channel": channel, "reached": reached}
    if via:
        detail["via"] = via
    session.add(ConcernEvent(concern_id=concern_id, at=at, actor=actor, kind="contact", detail=detail, note=note))
    if reached and (concern.last_contact_at is None or at > concern.last_contact_at):
        concern.last_contact_at = at
    return concern
