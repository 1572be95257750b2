"""HTTP route for the audit log: who read a person's data, when and why (coordinators, admins)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from qn_infra.auth import Principal
from qn_infra.errors import Invalid

from ..access import POLICY
from .queries import AuditFilter, find_entries
from .schemas import AuditEntryOut, AuditPage

router = APIRouter(prefix="/audit", tags=["audit"])


EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(2999, 12, 31, tzinfo=UTC)


def _utc(value: datetime | None) -> datetime | None:
    """A time without offset is read as UTC rather than refused: the question is "roughly when".
    Years nobody asks about (1, 9999) are taken as "from the beginning" and "until the end": with
    an offset they could not even be converted to UTC."""
    if value is None:
        return None
    if value.year < EARLIEST.year:
        return EARLIEST
    if value.year > LATEST.year:
        return LATEST
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@router.get("", response_model=AuditPage, summary="Who read whose personal data (audit log)")
def list_audit_entries(
    request: Request,
    _: Annotated[Principal, POLICY.guard("GET /audit")],
    subject_id: Annotated[
        str | None,
        Query(max_length=36, pattern=r"^[A-Za-z0-9_.:-]+$", description="Id of the person (or other record)."),
    ] = None,
    actor: Annotated[
        str | None, Query(max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$", description="Who read it (token subject).")
    ] = None,
    since: Annotated[datetime | None, Query(alias="from", description="Earliest time (ISO 8601).")] = None,
    until: Annotated[datetime | None, Query(alias="to", description="Latest time (ISO 8601).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> AuditPage:
    since, until = _utc(since), _utc(until)
    if since and until and since > until:
        raise Invalid("'from' liegt nach 'to'.", "'from' is after 'to'.", field="from")
    query = AuditFilter(subject_id=subject_id, actor=actor, since=since, until=until, limit=limit, offset=offset)
    with request.app.state.runtime.sessions() as session:
        entries = [AuditEntryOut.model_validate(e) for e in find_entries(session, query)]
    return AuditPage(entries=entries, limit=limit, offset=offset)
