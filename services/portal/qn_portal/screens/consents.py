"""Consent captured with the concern: for which purposes, given by whom, in which form and until
when. Referral consent names a carrier, and which carriers a concern goes to is known only once
intake has routed it -- so consents are recorded right after the concern, one per carrier whose
referral waits for it. Purposes the person already consented to are not recorded twice (a resent
form records nothing new)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from fastapi import Request

from ..messages import text
from ..pages import BERLIN, FieldError
from ..session import SignedIn

PURPOSES = ("referral", "neighbourly_help", "follow_up_contact")
GIVEN_BY = ("person", "legal_representative", "guardian")
FORMS = ("verbal", "written", "electronic")


def consent_fields(raw: Any) -> dict[str, Any]:
    return {
        "consents": [p for p in raw.getlist("consents") if p in PURPOSES],
        "given_by": raw.get("given_by") if raw.get("given_by") in GIVEN_BY else "person",
        "consent_form": raw.get("consent_form") if raw.get("consent_form") in FORMS else "verbal",
        "expires": str(raw.get("expires", "")).strip(),
    }


def expiry(value: str) -> datetime | None:
    """The end of the chosen day in Berlin, or None for no end; ValueError for no date."""
    if not value:
        return None
    return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(23, 59), tzinfo=BERLIN)


def consent_errors(form: dict[str, Any], lang: str, now: datetime) -> list[FieldError]:
    if not form["consents"] or not form["expires"]:
        return []
    try:
        ends = expiry(form["expires"])
    except ValueError:
        ends = None
    if ends is None or ends <= now:
        return [FieldError("expires", text(lang, "error_expires"))]
    return []


async def record_consents(
    request: Request, user: SignedIn, lang: str, form: dict[str, Any], concern: dict[str, Any]
) -> int:
    """Records the ticked consents for the concern's person; returns how many were recorded."""
    person_id = concern.get("person_id")
    if not person_id or not form["consents"]:
        return 0
    intake = request.app.state.intake
    existing = await intake.call(user, lang, "GET", f"/persons/{person_id}/consents", params={"purpose": "case_work"})
    held = {(c.get("purpose"), c.get("carrier_id")) for c in _items(existing) if c.get("active")}
    wanted: list[tuple[str, str | None]] = []
    for purpose in form["consents"]:
        if purpose == "referral":
            wanted += [
                ("referral", r["target_id"])
                for r in concern.get("referrals", [])
                if r.get("status") == "awaiting_consent"
            ]
        else:
            wanted.append((purpose, None))
    ends = expiry(form["expires"])
    recorded = 0
    for purpose, carrier in wanted:
        if (purpose, carrier) in held:
            continue
        body: dict[str, Any] = {"purpose": purpose, "given_by": form["given_by"], "form": form["consent_form"]}
        if carrier:
            body["carrier_id"] = carrier
        if ends:
            body["expires_at"] = ends.isoformat()
        await intake.call(user, lang, "POST", f"/persons/{person_id}/consents", json=body)
        recorded += 1
    return recorded


def _items(answer: Any) -> list[dict[str, Any]]:
    items = answer.get("items", answer.get("consents", [])) if isinstance(answer, dict) else answer
    return [c for c in items or [] if isinstance(c, dict)]
