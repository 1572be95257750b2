"""`Idempotency-Key`: a client that sends the same request twice (a double click, a retry after a
timeout) gets the first answer back, and the concern is recorded once.

The key is stored in the same transaction as the concern; the answer is stored right after. A key
reused for a different request body is refused with 409."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qn_infra.errors import Conflict, Invalid

from .models import IdempotencyRecord

_KEY = re.compile(r"^[A-Za-z0-9_.:\-]{8,200}$")


@dataclass(frozen=True)
class Claim:
    principal: str
    key: str
    request: str
    request_hash: str


class KeyReused(Conflict):
    code = "idempotency_key_reused"


def claim(principal: str, key: str, request: str, body: dict[str, Any]) -> Claim:
    """Checks the header value and fingerprints the request."""
    if not _KEY.match(key):
        raise Invalid(
            "Idempotency-Key muss 8–200 Zeichen aus Buchstaben, Ziffern und - _ . : haben (z. B. eine UUID).",
            "Idempotency-Key must be 8–200 letters, digits or - _ . : (a UUID, say).",
            field="header.idempotency-key",
        )
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return Claim(principal, key, request, hashlib.sha256(canonical.encode()).hexdigest())


def earlier(session: Session, c: Claim) -> IdempotencyRecord | None:
    """The record of an earlier request with this key, if any; refuses a different request."""
    record = session.scalars(
        select(IdempotencyRecord).where(IdempotencyRecord.principal == c.principal, IdempotencyRecord.key == c.key)
    ).first()
    if record is not None and (record.request_hash != c.request_hash or record.request != c.request):
        raise KeyReused(
            "Dieser Idempotency-Key wurde schon für eine andere Anfrage benutzt.",
            "This Idempotency-Key was already used for a different request.",
            field="header.idempotency-key",
            extra={"resource_id": record.resource_id},
        )
    return record


def remember(session: Session, c: Claim, *, resource_id: Any, status_code: int, now: datetime) -> None:
    session.add(
        IdempotencyRecord(
            principal=c.principal,
            key=c.key,
            request=c.request,
            request_hash=c.request_hash,
            resource_id=str(resource_id),
            status_code=status_code,
            response=None,
            created_at=now,
        )
    )


def store_response(session: Session, c: Claim, response: dict[str, Any]) -> None:
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.principal == c.principal, IdempotencyRecord.key == c.key)
        .values(response=response)
    )
