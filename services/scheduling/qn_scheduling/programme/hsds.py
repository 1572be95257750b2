"""The programme as Open Referral HSDS 3.0 (Human Services Data Specification): organizations,
services, locations and schedules, so that the city's directory and 211-style portals can take
it over. Plain data in, plain dicts out; the tests validate them against HSDS's JSON schemas.

HSDS wants UUIDs for every record: ids that are not UUIDs here (organisations, sites) get a
name-based UUID (version 5), stable across exports. HSDS schedules know WEEKLY and MONTHLY only;
a series with another frequency is exported with its description and without the rule."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date
from typing import Any
from zoneinfo import ZoneInfo

from icalendar.prop import vRecur

from ..city import City
from .messages import target_group_label
from .queries import PublicSite, PublishedOffer

NAMESPACE = uuid.UUID("6b0e6f6e-8a1c-5f0a-9d0e-71756172746e")  # "quartiersnetz", for HSDS's UUIDs
STATES = {
    "BB": "Brandenburg", "BE": "Berlin", "BW": "Baden-Württemberg", "BY": "Bayern", "HB": "Bremen",
    "HE": "Hessen", "HH": "Hamburg", "MV": "Mecklenburg-Vorpommern", "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen", "RP": "Rheinland-Pfalz", "SH": "Schleswig-Holstein", "SL": "Saarland",
    "SN": "Sachsen", "ST": "Sachsen-Anhalt", "TH": "Thüringen",
}  # fmt: skip
ADDRESS = re.compile(r"^(?P<street>[^,]+),\s*(?P<postal>\d{5})\s+(?P<city>.+)$")
WEEKDAYS_DE = {"MO": "Mo", "TU": "Di", "WE": "Mi", "TH": "Do", "FR": "Fr", "SA": "Sa", "SU": "So"}


def org_uuid(org_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"organisation:{org_id}"))


def site_uuid(site_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"site:{site_id}"))


def organization(org_id: str, city: City) -> dict[str, Any]:
    name = dict(city.organisation_names).get(org_id, org_id)
    return {
        "id": org_uuid(org_id),
        "name": name,
        "description": f"{name}: Angebote in den Treffpunkten von {city.name}.",
    }


def location(site: PublicSite, city: City) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": site_uuid(site.id),
        "location_type": "physical",
        "name": site.name,
        "external_identifier": site.id,
        "external_identifier_type": "quartiersnetz_site",
    }
    if site.carrier_id:
        record["organization_id"] = org_uuid(site.carrier_id)
    parsed = ADDRESS.match(site.address or "")
    if parsed:
        record["addresses"] = [
            {
                "id": str(uuid.uuid5(NAMESPACE, f"address:{site.id}")),
                "location_id": record["id"],
                "address_1": parsed["street"].strip(),
                "city": parsed["city"].strip(),
                "state_province": STATES.get(city.state or "", city.state or ""),
                "postal_code": parsed["postal"],
                "country": "DE",
                "address_type": "physical",
            }
        ]
    return record


def schedule(offer: PublishedOffer, tz: ZoneInfo) -> dict[str, Any]:
    recur = vRecur.from_ical(offer.rrule)
    byday = ",".join(str(day) for day in recur.get("BYDAY", []))
    record: dict[str, Any] = {
        "id": str(uuid.uuid5(NAMESPACE, f"schedule:{offer.id}")),
        "service_id": str(offer.id),
        "valid_from": offer.first_day.isoformat(),
        "opens_at": f"{offer.starts:%H:%M}",
        "closes_at": f"{offer.ends:%H:%M}",
        "description": _describe(recur, offer),
        "notes": "Ortszeit Europe/Berlin; an gesetzlichen Feiertagen und Schließtagen entfällt das Angebot.",
        "attending_type": "in_person",
    }
    freq = recur["FREQ"][0]
    if freq in ("WEEKLY", "MONTHLY"):
        record |= {"freq": freq, "dtstart": offer.first_day.isoformat(), "interval": int(recur.get("INTERVAL", [1])[0])}
        if byday:
            record["byday"] = byday
    if "COUNT" in recur:
        record["count"] = int(recur["COUNT"][0])
    if "UNTIL" in recur:
        until = recur["UNTIL"][0]
        last = until.astimezone(tz).date() if hasattr(until, "astimezone") else until
        record["until"] = last.isoformat()
        record["valid_to"] = last.isoformat()
    return record


def _describe(recur: vRecur, offer: PublishedOffer) -> str:
    days = [str(day) for day in recur.get("BYDAY", [])]
    names = ", ".join((f"{day[:-2]}. " if day[:-2] else "") + WEEKDAYS_DE.get(day[-2:], day[-2:]) for day in days)
    rhythm = {"DAILY": "täglich", "WEEKLY": "wöchentlich", "MONTHLY": "monatlich", "YEARLY": "jährlich"}
    every = int(recur.get("INTERVAL", [1])[0])
    how = rhythm.get(recur["FREQ"][0], "")
    if every > 1:
        how = f"alle {every} Wochen" if recur["FREQ"][0] == "WEEKLY" else f"alle {every} Monate"
    return f"{how} {names} {offer.starts:%H:%M}–{offer.ends:%H:%M} Uhr".replace("  ", " ").strip()


def service(offer: PublishedOffer, site: PublicSite, city: City, *, modified: date | None = None) -> dict[str, Any]:
    tz = city.timezone
    record: dict[str, Any] = {
        "id": str(offer.id),
        "name": offer.title,
        "status": "active",
        "fees_description": "kostenlos" if offer.cost == "free" else "Kostenbeitrag",
        "application_process": "Anmeldung erforderlich" if offer.registration_required else "ohne Anmeldung",
        "last_modified": offer.updated_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "schedules": [schedule(offer, tz)],
        "service_at_locations": [
            {
                "id": str(uuid.uuid5(NAMESPACE, f"service_at_location:{offer.id}")),
                "service_id": str(offer.id),
                "location_id": site_uuid(site.id),
                "location": location(site, city),
            }
        ],
    }
    if offer.description:
        record["description"] = offer.description
    if offer.target_groups:
        record["eligibility_description"] = "Für: " + ", ".join(
            target_group_label(g, "de") for g in offer.target_groups
        )
    if offer.org_id:
        record["organization_id"] = org_uuid(offer.org_id)
        record["organization"] = organization(offer.org_id, city)
    return record


def page(contents: list[dict[str, Any]]) -> dict[str, Any]:
    """HSDS's page envelope, with everything on one page (a city's programme is small)."""
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }
