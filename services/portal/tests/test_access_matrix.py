"""Every route of the portal x every persona (and nobody signed in): who may open it, who is
refused. The expected cells are written here, independently of the portal's access policy, so a
wrong policy fails this test; a route without a row fails it too. Where a page shows one team's
or one carrier's record, the cell is tried on the own and on another's record: the portal passes
the person's token on, and intake's refusal reaches them as a 403 page. The same for a volunteer's
task: the portal runs here in front of real intake and matching processes, and matching refuses
another volunteer's task.

Cells: "A" allowed (neither 403 nor sent to the sign-in page); "N" refused with 403; without a
session every non-public route sends the person to the sign-in page."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import httpx
import pytest
from qn_portal.access import POLICY

from qn_infra.access import api_routes
from qn_testkit.days import BERLIN

pytestmark = pytest.mark.integration

PERSONAS = {
    "team_staff": "demo-staff-team-innenstadt",
    "other_team_staff": "demo-staff-team-nord",
    "kuemmerer": "demo-kuemmerer-team-innenstadt",
    "coordinator": "demo-coordinator",
    "carrier": "demo-carrier-caritas-dessau",
    "other_carrier": "demo-carrier-diakonie-dessau",
    "volunteer": "renate.k",
    "other_volunteer": "dmitri.s",
    "committee": "demo-committee",
}
ALL = dict.fromkeys(PERSONAS, "A")
STAFF = {"team_staff": "A", "other_team_staff": "A", "coordinator": "A"}
OWN_TEAM = {"team_staff": "A", "coordinator": "A"}  # the record is team-innenstadt's
RECORDERS = {**STAFF, "kuemmerer": "A"}
CARRIER = {"carrier": "A", "other_carrier": "A"}
OWN_CARRIER = {"carrier": "A"}  # the referral is addressed to caritas-dessau
SCHEDULERS = {**STAFF}  # drop-in centres: scheduling lets staff book for any organisation
CITY_WIDE = {"coordinator": "A"}
PUBLIC = "public"
COORDINATOR = {"coordinator": "A"}
VOLUNTEERS = {"volunteer": "A", "other_volunteer": "A"}
OWN_TASK = {"volunteer": "A", "coordinator": "A"}  # the task is Renate's; coordinators answer for her

EXPECTED: dict[str, dict[str, str] | str] = {
    "GET /": PUBLIC,
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "GET /metrics": PUBLIC,
    "GET /sprache": PUBLIC,
    "GET /anmelden": PUBLIC,
    "GET /anmelden/oidc": PUBLIC,
    "GET /anmelden/rueckkehr": PUBLIC,
    "POST /anmelden/lokal": PUBLIC,
    "POST /abmelden": ALL,
    "GET /start": ALL,
    "GET /warteschlange": STAFF,
    "GET /anliegen/neu": STAFF,
    "POST /anliegen": STAFF,
    "GET /anliegen/{concern_id}": OWN_TEAM,
    "GET /personen": STAFF,
    "POST /personen": STAFF,
    "GET /protokoll": {"coordinator": "A"},
    "GET /personen/{person_id}/loeschen": {"coordinator": "A"},
    "POST /personen/{person_id}/loeschen": {"coordinator": "A"},
    "GET /adressen/vorschlaege": RECORDERS,
    "GET /adressen/quartier": RECORDERS,
    "GET /signale": RECORDERS,
    "GET /signale/neu": RECORDERS,
    "POST /signale": RECORDERS,
    "GET /vermittlungen": CARRIER,
    "GET /vermittlungen/{referral_id}": OWN_CARRIER,
    "GET /vermittlungen/{referral_id}/kontakt": OWN_CARRIER,
    "POST /vermittlungen/{referral_id}/status": OWN_CARRIER,
    "GET /mitmachen": PUBLIC,
    "POST /mitmachen": PUBLIC,
    "GET /ehrenamtliche": COORDINATOR,
    "GET /ehrenamtliche/{volunteer_id}": COORDINATOR,
    "POST /ehrenamtliche/{volunteer_id}/status": COORDINATOR,
    "POST /ehrenamtliche/{volunteer_id}/fuehrungszeugnis": COORDINATOR,
    "POST /ehrenamtliche/{volunteer_id}/verfuegbarkeit": COORDINATOR,
    "GET /offene-anfragen": COORDINATOR,
    "GET /anfragen/{help_request_id}": COORDINATOR,
    "POST /anfragen/{help_request_id}/zuteilen": COORDINATOR,  # sent empty: the form comes back, nothing changes
    "POST /anfragen/{help_request_id}/anbieten": COORDINATOR,
    "GET /vorschlaege": COORDINATOR,
    "GET /stunden": COORDINATOR,
    "POST /stunden/{entry_id}/freigeben": COORDINATOR,
    "POST /stunden/{entry_id}/zurueckgeben": COORDINATOR,
    "GET /meine-einsaetze": VOLUNTEERS,
    "POST /meine-einsaetze/kalender": VOLUNTEERS,  # each their own link: matching finds them by login
    "POST /meine-einsaetze/kalender/widerrufen": VOLUNTEERS,
    "GET /einsaetze/{match_id}": OWN_TASK,
    "POST /einsaetze/{match_id}/annehmen": OWN_TASK,
    "POST /einsaetze/{match_id}/ablehnen": OWN_TASK,
    "POST /einsaetze/{match_id}/stunden": OWN_TASK,
    "POST /einsaetze/{match_id}/abschliessen": OWN_TASK,
    "GET /treffs": SCHEDULERS,
    "GET /treffs/{site_id}/woche": SCHEDULERS,
    "GET /treffs/{site_id}/angebote/neu": SCHEDULERS,
    "POST /treffs/{site_id}/angebote": SCHEDULERS,
    "GET /angebote/{offer_id}/termine/{occurrence_id}": SCHEDULERS,
    "POST /angebote/{offer_id}/termine/{occurrence_id}/teilnahme": SCHEDULERS,
    "POST /angebote/{offer_id}/termine/{occurrence_id}/absage": SCHEDULERS,
    "POST /angebote/{offer_id}/termine/{occurrence_id}/verlegung": SCHEDULERS,
    "GET /treffs/{site_id}/schliesszeiten": CITY_WIDE,
    "POST /treffs/{site_id}/schliesszeiten": CITY_WIDE,
    "GET /beratungszeiten": CARRIER,  # each sees only the own organisation's (scheduling decides)
    "GET /raumanfragen": CARRIER,  # each sees only the own organisation's requests (scheduling decides)
    "POST /raumanfragen": CARRIER,
    "POST /raumanfragen/{request_id}/zurueckziehen": OWN_CARRIER,  # the request is caritas-dessau's
    "GET /treffs/{site_id}/raumanfragen": CITY_WIDE,
    "POST /treffs/{site_id}/raumanfragen/{request_id}/genehmigen": CITY_WIDE,
    "POST /treffs/{site_id}/raumanfragen/{request_id}/ablehnen": CITY_WIDE,
    "GET /kennzahlen": {"committee": "A", "coordinator": "A"},
}


@pytest.fixture
def portal_settings(neighbourly, tokens, kit):
    """The portal in front of real intake and matching processes (matching decides whose task)."""
    return kit.neighbourly_settings(neighbourly, tokens)


def test_every_route_has_a_row_and_every_row_a_route(portal):
    app = portal().app
    routes = {f"{method} {path}" for path, methods, _ in api_routes(app) for method in methods}
    assert routes == set(EXPECTED), f"missing rows: {routes - set(EXPECTED)}; stale rows: {set(EXPECTED) - routes}"
    assert set(POLICY.rules) == routes


def _request(client: Any, key: str, ids: dict[str, str], csrf: str) -> Any:
    method, path = key.split(" ", 1)
    path = path.replace("{concern_id}", ids["concern"]).replace("{referral_id}", ids["referral"])
    if path.endswith("/loeschen") and method == "POST":
        path = path.replace("{person_id}", ids["erasable"].pop())  # every erasure needs a person of its own
    path = path.replace("{person_id}", ids["person"])
    for name in ("match_id", "volunteer_id", "entry_id", "request_id", "help_request_id"):
        path = path.replace("{" + name + "}", ids[name])
    path = path.replace("{site_id}", "franztreff").replace("{offer_id}", ids["offer"])
    path = path.replace("{occurrence_id}", ids["occurrence"])
    if "/termine/" in path:
        path += f"?tag={ids['day']}"
    params = {
        "/adressen/vorschlaege": {"street": "Franz"},
        "/adressen/quartier": {"street": "Franzstr.", "house_number": "147"},
        "/personen": {"name": "Matrix"},
    }.get(path, {})
    if method == "GET":
        return client.get(path, params=params, follow_redirects=False)
    data: dict[str, Any] = {"csrf_token": csrf}
    if path == "/anmelden/lokal":
        data["user_id"] = "nobody"  # public, and must not change who is signed in
    elif path == "/anliegen":
        data |= {
            "street": "Franzstr.",
            "house_number": "147",
            "topics": "schulden",
            "urgency": "soon",
            "channel": "phone",
        }
    elif path == "/personen":
        data |= {"family_name": "Matrix", "given_name": "Mia"}
    elif path == "/signale":
        data |= {"signal_type": "loneliness", "quarter_id": "innenstadt-sued"}
    elif path.endswith("/verfuegbarkeit"):
        data |= {"weekday_0": "tu", "starts_0": "10:00", "ends_0": "12:00"}  # as registered: nothing changes
    elif path.endswith("/ablehnen"):
        data["decline_reason"] = "other"  # reaches matching, which decides whose task it is
    elif path.startswith("/einsaetze/") and path.endswith("/stunden"):
        data["hours"] = "1"
    elif path.endswith("/status"):
        data["to_status"] = "not-a-status"  # allowed callers get the form back, nothing changes
    return client.post(path, data=data, follow_redirects=False)


def _person(staff: Any, kit: Any) -> str:
    page = staff.get("/personen")
    added = staff.post(
        "/personen", data={"csrf_token": kit.csrf_of(page.text), "family_name": "Matrix", "given_name": "Ida"}
    )
    return added.url.params.get("person_id") or added.text.split('data-person-id="', 1)[1].split('"', 1)[0]


def _refused(answer: Any) -> str:
    if answer.status_code == 403:
        return "N"
    if answer.status_code in (302, 303) and answer.headers["location"].startswith("/anmelden?weiter="):
        return "sign-in"
    return "A"


def _task_with_hours(city: Any, kit: Any) -> dict[str, str]:
    """A proposal to Renate, accepted, with an hours entry waiting for approval."""
    proposal = kit.ask_for_help(city)
    with city.client("matching", "volunteer", subject=kit.VOLUNTEER) as matching:
        assert matching.post(f"/matches/{proposal['id']}/accept").status_code == 200
        logged = matching.post(f"/matches/{proposal['id']}/hours", json={"hours": "1"})
        assert logged.status_code == 201, logged.text
    return {
        "match_id": proposal["id"],
        "volunteer_id": proposal["volunteer_id"],
        "entry_id": logged.json()["entries"][0]["id"],
        "help_request_id": proposal["help_request_id"],
    }


def _room_request(drop_in: Any, tokens: Any) -> str:
    """A room request of caritas-dessau, weeks ahead: the coordinator approves it (a 303), then the
    carrier's withdrawal meets a decided request (the list with scheduling's sentence)."""
    day = drop_in.today() + timedelta(days=29)
    at = {
        name: datetime.combine(day, time(hour), BERLIN).isoformat()
        for name, hour in (("starts_at", 14), ("ends_at", 15))
    }
    body = {**at, "title": "Matrix"}
    made = httpx.post(
        f"{drop_in.scheduling_url}/sites/franztreff/rooms/beratung-traeger/requests",
        json=body,
        headers=tokens.headers("carrier", org="caritas-dessau"),
        timeout=30,
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_every_route_for_every_persona(portal, kit, neighbourly, drop_in, drop_in_settings, tokens):
    # forms are sent empty or wrong where they would change something: allowed callers get the
    # form back with its errors, so every persona meets the same records
    staff = kit.sign_in(portal(drop_in_settings), kit.STAFF_INNENSTADT)
    concern_page = kit.record_concern(staff, topics=["schulden"])
    concern = concern_page.url.path.rsplit("/", 1)[1]
    carrier = kit.sign_in(portal(drop_in_settings), kit.CARITAS)
    inbox = carrier.get("/vermittlungen")
    referral = inbox.text.split("/vermittlungen/", 2)[1].split('"', 1)[0] if "/vermittlungen/" in inbox.text else ""
    assert referral, "the carrier should have a referral to open"
    ids: dict[str, Any] = {"concern": concern, "referral": referral, "person": _person(staff, kit), "erasable": []}
    ids |= {"offer": drop_in.lunch_offer, "occurrence": drop_in.lunch_today, "day": drop_in.today().isoformat()}
    ids["erasable"] = [_person(staff, kit) for _ in range(len(PERSONAS) + 1)]
    ids |= _task_with_hours(neighbourly, kit)
    ids["request_id"] = _room_request(drop_in, tokens)

    wrong: list[str] = []
    # signing out last: it ends the persona's session
    keys = sorted(EXPECTED, key=lambda k: k == "POST /abmelden")
    for persona, user_id in [(None, None), *PERSONAS.items()]:
        client = portal(drop_in_settings)
        if user_id:
            kit.sign_in(client, user_id)
        csrf = kit.csrf_of(client.get("/anmelden").text)
        for key in keys:
            row = EXPECTED[key]
            if row == PUBLIC:
                want = "A"
            elif persona is None:
                want = "sign-in"
            else:
                want = row.get(persona, "N")
            got = _refused(_request(client, key, ids, csrf))
            if got != want:
                wrong.append(f"{key} as {persona or 'nobody'}: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)
