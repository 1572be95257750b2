"""Every route of intake's OpenAPI document x every role x own and other team (or carrier): who may
call it, and who is refused. The expected cells are written here, independently of the service's
access policy, so a wrong policy fails this test; a route without a row fails it too.

Cells: "A" allowed for own and other records alike; "O" allowed for own records, refused (403)
for the other team's or carrier's; "N" refused (403). Without a token every route but the public
ones answers 401. Allowed means: not 401 and not 403 (and 2xx for a read) -- the route may still
say 404, 409 or 422 about the record's state."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from qn_contracts.matching import MatchAccepted
from qn_infra.pseudonyms import LoginPseudonyms, load_pseudonym_key
from qn_testkit.waiting import eventually

from .persons.test_help_loop import announce

pytestmark = pytest.mark.integration

TEAM_A, TEAM_B = "team-innenstadt", "team-nord"
CARRIER, OTHER_CARRIER, YOUTH_OFFICE = "caritas-dessau", "diakonie-dessau", "jugendamt-asd"

PERSONAS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "team_staff": (("team_staff",), {"team": TEAM_A, "subject": "staff-a"}),
    "kuemmerer": (("kuemmerer",), {"team": TEAM_A, "subject": "kuemmerin-k"}),
    "coordinator": (("coordinator",), {"subject": "coordinator"}),
    "admin": (("admin",), {"subject": "admin"}),
    "carrier": (("carrier",), {"org": CARRIER, "subject": "caritas-1"}),
    "youth_office": (("carrier",), {"org": YOUTH_OFFICE, "subject": "asd-1"}),
    "volunteer": (("volunteer",), {"subject": "volunteer-1"}),
    "committee": (("committee",), {"subject": "committee-1"}),
}
ORDER = tuple(PERSONAS)

STAFF_ONLY = {"team_staff": "O", "coordinator": "A", "admin": "A"}
EVERYONE = dict.fromkeys(ORDER, "A")
CITY_WIDE = {"coordinator": "A", "admin": "A"}
LISTING_STAFF = {"team_staff": "A", "coordinator": "A", "admin": "A"}
REFERRAL_READERS = {**STAFF_ONLY, "carrier": "O", "youth_office": "O"}
RECORDERS = {"team_staff": "A", "kuemmerer": "A", "coordinator": "A", "admin": "A"}

# route -> persona -> cell (a persona not named is "N")
EXPECTED: dict[str, dict[str, str]] = {
    "GET /healthz": {**EVERYONE, "anonymous": "A"},
    "GET /readyz": {**EVERYONE, "anonymous": "A"},
    "POST /concerns": {"team_staff": "O", "kuemmerer": "O", "coordinator": "A", "admin": "A"},
    "GET /concerns/{concern_id}": STAFF_ONLY,
    "POST /concerns/{concern_id}/close": STAFF_ONLY,
    "POST /concerns/{concern_id}/reopen": STAFF_ONLY,
    "POST /concerns/{concern_id}/contacts": {**STAFF_ONLY, "kuemmerer": "O"},
    "POST /concerns/{concern_id}/referrals": STAFF_ONLY,
    "PUT /concerns/{concern_id}/person": STAFF_ONLY,
    "GET /topics": EVERYONE,
    "GET /quarters": EVERYONE,
    "GET /vocabulary": EVERYONE,
    "POST /persons": RECORDERS,
    "GET /persons": LISTING_STAFF,
    "GET /persons/{person_id}": STAFF_ONLY,
    "PATCH /persons/{person_id}": STAFF_ONLY,
    "DELETE /persons/{person_id}": CITY_WIDE,
    "GET /audit": CITY_WIDE,
    "POST /persons/{person_id}/consents": STAFF_ONLY,
    "GET /persons/{person_id}/consents": STAFF_ONLY,
    "POST /consents/{consent_id}/withdraw": STAFF_ONLY,
    "GET /referrals": {**LISTING_STAFF, "carrier": "A", "youth_office": "A"},
    "GET /referrals/{referral_id}": REFERRAL_READERS,
    "GET /referrals/{referral_id}/contact": REFERRAL_READERS,
    "POST /referrals/{referral_id}/status": REFERRAL_READERS,
    "POST /referrals/{referral_id}/legal-basis": STAFF_ONLY,
    "POST /referrals/{referral_id}/next-step": STAFF_ONLY,
    "POST /referrals/{referral_id}/help-request": {"youth_office": "O"},
    "POST /help-requests/{help_request_id}/next-step": STAFF_ONLY,
    # own: the task volunteer-1 accepted, and the coordinator for them; other: someone else's task
    "GET /help-requests/{help_request_id}/contact": {"volunteer": "O", "coordinator": "O"},
    "POST /signals": {"team_staff": "O", "kuemmerer": "O", "coordinator": "A", "admin": "A"},
    "GET /signals": {**LISTING_STAFF, "kuemmerer": "A"},
    "GET /signals/{signal_id}": {**STAFF_ONLY, "kuemmerer": "O"},
    "GET /follow-ups": LISTING_STAFF,
    "GET /follow-ups/{follow_up_id}": STAFF_ONLY,
    "POST /follow-ups/{follow_up_id}/done": STAFF_ONLY,
    "GET /queue": LISTING_STAFF,
    "GET /addresses/resolve": RECORDERS,
    "GET /addresses/streets": RECORDERS,
}

# reads that answer something else than 200 for a reason of the record, not of access
NOT_200: dict[tuple[str, str], int] = {
    # the youth office's referral is of an anonymous concern: there is no contact to give
    ("GET /referrals/{referral_id}/contact", "youth_office"): 404,
}

# what a request needs besides its path: query parameters and a valid body (so that a refusal
# comes from the access rules, not from a 422); `side` is "own" or "other"
QUERY: dict[str, dict[str, str]] = {
    "GET /persons": {"name": "Mohnhaupt"},
    "GET /addresses/resolve": {"street": "Franzstraße", "house_number": "147"},
    "GET /addresses/streets": {"prefix": "Franz"},
}


@dataclass
class Records:
    """What exists on each side: the own team's (or carrier's) records and the other's."""

    ids: dict[str, dict[str, str]] = field(default_factory=lambda: {"own": {}, "other": {}})

    def of(self, side: str, name: str) -> str:
        return self.ids[side][name]


def bodies(records: Records) -> dict[str, Callable[[str], dict[str, Any]]]:
    return {
        "POST /concerns": lambda side: {
            "channel": "phone",
            "topics": ["gesundheit"],
            "urgency": "soon",
            "person_id": records.of(side, "person"),
        },
        "POST /concerns/{concern_id}/close": lambda side: {"outcome": "resolved"},
        "POST /concerns/{concern_id}/reopen": lambda side: {},
        "POST /concerns/{concern_id}/contacts": lambda side: {"channel": "phone"},
        "POST /concerns/{concern_id}/referrals": lambda side: {
            "target_id": "sozialamt",
            "topic": records.of(side, "topic"),
            "reason": "Bitte prüfen",
        },
        "PUT /concerns/{concern_id}/person": lambda side: {"person_id": records.of(side, "person")},
        "POST /persons": lambda side: {"family_name": "Neumann"},
        "PATCH /persons/{person_id}": lambda side: {"preferred_language": "de"},
        "POST /persons/{person_id}/consents": lambda side: {
            "purpose": "follow_up_contact",
            "given_by": "person",
            "form": "verbal",
        },
        "POST /referrals/{referral_id}/status": lambda side: {"to_status": "accepted"},
        "POST /referrals/{referral_id}/legal-basis": lambda side: {"basis": "gdpr_9_2_c"},
        "POST /referrals/{referral_id}/next-step": lambda side: {"step": "team_takes_over"},
        "POST /referrals/{referral_id}/help-request": lambda side: {"help_kind": "reading"},
        "POST /help-requests/{help_request_id}/next-step": lambda side: {"step": "team_takes_over"},
        "POST /signals": lambda side: {"signal_type": "loneliness", "concern_id": records.of(side, "concern")},
        "POST /follow-ups/{follow_up_id}/done": lambda side: {"outcome": "no_action_needed"},
    }


def path_id(records: Records, persona: str, side: str, parameter: str) -> str:
    """The record a path parameter names for this persona: a carrier's own referral is the one
    addressed to it; the youth office's, the one addressed to the youth office."""
    if parameter == "referral_id" and persona == "youth_office" and side == "own":
        return records.of("own", "youth_office_referral")
    return records.of(side, parameter.removesuffix("_id"))


def build(intake: Any) -> Records:
    """Two neighbourhood teams' worlds, made through the API as their people make them."""
    tokens, client = intake.tokens, intake.client
    staff_a = tokens.headers(*PERSONAS["team_staff"][0], **PERSONAS["team_staff"][1])
    kuemmerer = tokens.headers(*PERSONAS["kuemmerer"][0], **PERSONAS["kuemmerer"][1])
    staff_b = tokens.headers("team_staff", team=TEAM_B, subject="staff-b")
    records = Records()

    def made(response: Any) -> dict[str, Any]:
        assert response.status_code in (200, 201), response.text
        return response.json()  # type: ignore[no-any-return]

    def world(
        side: str, recorder: dict[str, str], staff: dict[str, str], quarter: str, target: str, topic: str
    ) -> None:
        person = made(
            client.post("/persons", json={"family_name": f"Mohnhaupt-{side}", "birth_year": 1950}, headers=recorder)
        )
        for consent in (
            {"purpose": "referral", "carrier_id": target},
            {"purpose": "neighbourly_help"},
        ):
            body = {**consent, "given_by": "person", "form": "written"}
            made(client.post(f"/persons/{person['id']}/consents", json=body, headers=staff))
        consent = made(
            client.post(
                f"/persons/{person['id']}/consents",
                json={"purpose": "follow_up_contact", "given_by": "person", "form": "written"},
                headers=staff,
            )
        )
        concern = made(
            client.post(
                "/concerns",
                json={
                    "channel": "phone",
                    "topics": [topic, "einsamkeit"],
                    "urgency": "soon",
                    "quarter_id": quarter,
                    "person_id": person["id"],
                },
                headers=recorder,
            )
        )
        signal = made(
            client.post("/signals", json={"signal_type": "loneliness", "concern_id": concern["id"]}, headers=recorder)
        )
        [referral] = concern["referrals"]
        [help_request] = concern["help_requests"]
        assert (referral["target_id"], referral["status"]) == (target, "requested")
        records.ids[side].update(
            person=person["id"],
            consent=consent["id"],
            concern=concern["id"],
            topic=topic,
            referral=referral["id"],
            help_request=help_request["id"],
            signal=signal["id"],
            follow_up=signal["follow_up"]["id"],
        )

    world("own", kuemmerer, staff_a, "innenstadt-sued", CARRIER, "schulden")
    world("other", staff_b, staff_b, "ziebigk", OTHER_CARRIER, "sucht")
    accept_help(intake, records, staff_a, staff_b)
    child = made(
        client.post(
            "/concerns",
            json={"channel": "phone", "topics": ["kinder_jugend_familie"], "urgency": "soon", "quarter_id": "rosslau"},
            headers=staff_a,
        )
    )
    records.ids["own"]["youth_office_referral"] = child["referrals"][0]["id"]
    return records


def accept_help(intake: Any, records: Records, staff_a: dict[str, str], staff_b: dict[str, str]) -> None:
    """Matching says who accepted each side's help request: on the own side the volunteer persona,
    with the coordinator persona accepting for them; on the other side two other logins."""
    settings = intake.settings
    key = load_pseudonym_key(None, settings.pseudonym_key_file)
    assert key is not None
    logins = LoginPseudonyms(key, settings.auth_issuer)
    accepted_by = {"own": ("volunteer-1", "coordinator"), "other": ("volunteer-2", "coordinator-2")}
    for side, (volunteer, proxy) in accepted_by.items():
        event = MatchAccepted(
            match_id=uuid.uuid4(),
            help_request_id=uuid.UUID(records.of(side, "help_request")),
            volunteer_ref=uuid.uuid4(),
            quarter_id="innenstadt-sued",
            volunteer_login=logins.of(volunteer),
            proxy_login=logins.of(proxy),
        )
        announce(SimpleNamespace(intake=intake), event)
    for side, staff in (("own", staff_a), ("other", staff_b)):
        concern = records.of(side, "concern")

        def matched(concern: str = concern, staff: dict[str, str] = staff) -> bool:
            found = intake.client.get(f"/concerns/{concern}", headers=staff).json()["help_requests"]
            return bool(found[0]["status"] == "matched")

        eventually(matched, what=f"the {side} help request accepted")


def request(intake: Any, route: str, persona: str, side: str, records: Records) -> Any:
    method, template = route.split(" ", 1)
    path = template
    for parameter in [p.strip("{}") for p in template.split("/") if p.startswith("{")]:
        path = path.replace("{" + parameter + "}", path_id(records, persona, side, parameter))
    headers = {}
    if persona != "anonymous":
        roles, claims = PERSONAS[persona]
        headers = intake.tokens.headers(*roles, **claims)
    body = bodies(records).get(route)
    return intake.client.request(
        method, path, params=QUERY.get(route), json=body(side) if body else None, headers=headers
    )


def routes_of(intake: Any) -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, operations in intake.client.app.openapi()["paths"].items()
        for method in operations
    ]


def test_every_route_has_a_row_in_the_matrix(intake: Any) -> None:
    routes = routes_of(intake)
    missing = sorted(set(routes) - set(EXPECTED))
    assert not missing, f"add these routes to EXPECTED in {__file__}: {missing}"
    assert not set(EXPECTED) - set(routes), "the matrix names routes that no longer exist"


def test_every_route_answers_every_role_for_own_and_other_records_as_the_matrix_says(intake: Any) -> None:
    records = build(intake)
    routes = sorted(routes_of(intake), key=lambda r: (r.startswith("DELETE"), r))  # erasure last
    wrong: list[str] = []
    for route in routes:
        expected = EXPECTED[route]
        needs_record = "{" in route or route in ("POST /concerns", "POST /signals")
        for persona in (*ORDER, "anonymous"):
            cell = expected.get(persona, "401" if persona == "anonymous" else "N")
            for side in ("own", "other") if needs_record else ("own",):
                allowed = cell == "A" or (cell == "O" and side == "own")
                status = request(intake, route, persona, side, records).status_code
                if cell == "401":
                    ok = status == 401
                elif allowed:
                    read_status = NOT_200.get((route, persona), 200)
                    ok = (
                        status not in (401, 403)
                        and status < 500
                        and (not route.startswith("GET") or status == read_status)
                    )
                else:
                    ok = status == 403
                if not ok:
                    wrong.append(
                        f"{route} as {persona} ({side}): expected {'allowed' if allowed else cell}, got {status}"
                    )
    assert not wrong, "\n".join(wrong)


def test_listings_show_only_the_callers_team_or_carrier(intake: Any) -> None:
    records = build(intake)
    as_ = {name: intake.tokens.headers(*roles, **claims) for name, (roles, claims) in PERSONAS.items()}
    found = intake.client.get("/persons", params={"name": "Mohnhaupt"}, headers=as_["team_staff"]).json()
    assert [p["id"] for p in found["results"]] == [records.of("own", "person")]
    everyone = intake.client.get("/persons", params={"name": "Mohnhaupt"}, headers=as_["coordinator"]).json()
    assert {p["id"] for p in everyone["results"]} == {records.of("own", "person"), records.of("other", "person")}
    caritas = intake.client.get("/referrals", headers=as_["carrier"]).json()["items"]
    assert [r["id"] for r in caritas] == [records.of("own", "referral")]
    youth_office = intake.client.get("/referrals", headers=as_["youth_office"]).json()["items"]
    assert [r["id"] for r in youth_office] == [records.of("own", "youth_office_referral")]
    signals = intake.client.get("/signals", headers=as_["kuemmerer"]).json()["items"]
    assert [s["id"] for s in signals] == [records.of("own", "signal")]
    follow_ups = intake.client.get("/follow-ups", headers=as_["team_staff"]).json()["items"]
    assert [f["id"] for f in follow_ups] == [records.of("own", "follow_up")]
    queue = intake.client.get("/queue", headers=as_["team_staff"]).json()["items"]
    assert records.of("other", "concern") not in {i["concern_id"] for i in queue}
    assert records.of("own", "concern") in {i["concern_id"] for i in queue}


def test_a_kuemmerer_sees_what_became_of_the_signal_they_raised(intake: Any) -> None:
    records = build(intake)
    kuemmerer = intake.tokens.headers(*PERSONAS["kuemmerer"][0], **PERSONAS["kuemmerer"][1])
    staff = intake.tokens.headers(*PERSONAS["team_staff"][0], **PERSONAS["team_staff"][1])
    done = intake.client.post(
        f"/follow-ups/{records.of('own', 'follow_up')}/done",
        json={"outcome": "contacted", "note": "Frau M. freut sich über Besuch"},
        headers=staff,
    )
    assert done.status_code == 200, done.text
    seen = intake.client.get(f"/signals/{records.of('own', 'signal')}", headers=kuemmerer)
    assert seen.status_code == 200, seen.text
    assert (seen.json()["follow_up"]["status"], seen.json()["follow_up"]["outcome"]) == ("done", "contacted")
    assert seen.json()["follow_up"]["note"] is None  # the team's note stays with the team
    assert intake.client.get(f"/concerns/{records.of('own', 'concern')}", headers=kuemmerer).status_code == 403


@pytest.mark.parametrize(
    ("roles", "claims", "path"),
    [
        (("team_staff",), {}, "/queue"),
        (("team_staff",), {}, "/persons?name=Mohnhaupt"),
        (("carrier",), {}, "/referrals"),
    ],
    ids=["staff-without-team", "staff-without-team-search", "carrier-without-org"],
)
def test_a_token_without_its_team_or_carrier_sees_nothing(
    intake: Any, roles: tuple[str, ...], claims: dict[str, str], path: str
) -> None:
    answer = intake.client.get(path, headers=intake.tokens.headers(*roles, **claims))
    assert answer.status_code == 403, answer.text
    assert "team" in answer.json()["detail"] or "Träger" in answer.json()["detail"]
