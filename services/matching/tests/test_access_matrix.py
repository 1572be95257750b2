"""Who may do what in matching, cell by cell: every operation of the API x every role (and no
token) x Renate's own record and Dmitri's. Renate and Dmitri are volunteers registered through
the API, each with proposals made from help requests on the broker; every caller's token carries
Renate's login as its subject, so "own" means Renate's -- and only the volunteer role makes it so.

The table below is this test's own, not the service's policy: change them together."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from qn_infra.clock import TickingClock
from qn_matching.app import create_app
from qn_matching.config import MatchingSettings
from qn_testkit.access_matrix import CALLERS, OTHER, OWN, PUBLIC, Call, row, untabled, walk
from qn_testkit.days import reference_day
from qn_testkit.services import running_app
from qn_testkit.waiting import eventually

from .conftest import DEMO_CITY, Matching, help_requested, volunteer_body

pytestmark = pytest.mark.integration

STAFF = {"coordinator", "admin"}
VOLUNTEER = {"volunteer"}

TABLE = {
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "POST /volunteers": row(STAFF),
    "POST /volunteers/applications": PUBLIC,
    "GET /volunteers/me": row(VOLUNTEER, own_only=VOLUNTEER),
    "PATCH /volunteers/{volunteer_id}": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "POST /volunteers/{volunteer_id}/absences": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "POST /volunteers/{volunteer_id}/vetting": row(STAFF, owned=True),
    "GET /volunteers": row(STAFF),
    "GET /volunteers/{volunteer_id}": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "POST /volunteers/{volunteer_id}/status": row(STAFF, owned=True),
    "GET /volunteers/me/matches": row(VOLUNTEER, own_only=VOLUNTEER),
    "GET /volunteers/{volunteer_id}/matches": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "GET /help-requests": row(STAFF),
    "GET /help-requests/{help_request_id}": row(STAFF),
    "POST /help-requests/{help_request_id}/assign": row(STAFF),
    "POST /help-requests/{help_request_id}/offers": row(STAFF),
    "GET /matches": row(STAFF),
    "GET /matches/{match_id}": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "POST /matches/{match_id}/accept": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "POST /matches/{match_id}/decline": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "POST /matches/{match_id}/complete": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "GET /matches/{match_id}/log": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "POST /matches/{match_id}/hours": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "GET /matches/{match_id}/hours": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "PUT /matches/{match_id}/appointment": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "POST /volunteers/{volunteer_id}/calendar-feed": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "DELETE /volunteers/{volunteer_id}/calendar-feed": row(STAFF | VOLUNTEER, own_only=VOLUNTEER, owned=True),
    "GET /calendar-feeds/{token}.ics": PUBLIC,
    "GET /reminders": row(STAFF),
    "GET /hours": row(STAFF),
    "POST /hours/{entry_id}/approve": row(STAFF),
    "POST /hours/{entry_id}/return": row(STAFF),
}

ACCOUNT = {OWN: "renate.k", OTHER: "dmitri.s"}
# one quarter each, so that a help request there can only go to its volunteer
QUARTER = {OWN: "innenstadt-sued", OTHER: "rosslau"}
# what an answer must be in before it can be given: an accepted proposal cannot be accepted again
NEEDS = {
    "accept": "proposed",
    "decline": "proposed",
    "complete": "accepted",
    "hours": "accepted",
    "appointment": "accepted",
}
BODIES: dict[str, Any] = {
    "POST /volunteers/{volunteer_id}/status": {"status": "paused"},
    "PATCH /volunteers/{volunteer_id}": {"languages": ["de", "en"]},
    "POST /matches/{match_id}/decline": {"reason": "no_time"},
    "POST /matches/{match_id}/complete": {"hours": "1.5"},
    "POST /matches/{match_id}/hours": {"hours": "1"},
    "POST /hours/{entry_id}/return": {"reason": "wrong_hours"},
}
MATCH_ANSWERS = {
    "GET /matches/{match_id}",
    "POST /matches/{match_id}/accept",
    "POST /matches/{match_id}/decline",
    "POST /matches/{match_id}/complete",
    "PUT /matches/{match_id}/appointment",
}
MATCH_LISTS = {"GET /matches", "GET /volunteers/me/matches", "GET /volunteers/{volunteer_id}/matches"}


class MatchingWorld:
    def __init__(self, matching: Matching) -> None:
        self.matching, self.client = matching, matching.client
        self.volunteers = {
            owner: matching.register(f"Ehrenamt {owner}", account=ACCOUNT[owner], quarter_id=QUARTER[owner])
            for owner in (OWN, OTHER)
        }
        self.owner_of = {volunteer["id"]: owner for owner, volunteer in self.volunteers.items()}
        self.matches = {owner: self.proposal(owner) for owner in (OWN, OTHER)}
        self.help_request_id = self.matching.client.get(
            f"/matches/{self.matches[OWN]}", headers=matching.coordinator()
        ).json()["help_request_id"]
        self.newcomers = itertools.count(1)
        # refused cells of the approval routes use this entry and must leave it waiting
        self.waiting_entry = self.submitted_entry()

    def submitted_entry(self) -> str:
        """Hours Renate logged on a task of hers, waiting for a coordinator."""
        match_id = self.proposal(OWN, "accepted")
        logged = self.client.post(
            f"/matches/{match_id}/hours", json={"hours": "1"}, headers=self.matching.volunteer(ACCOUNT[OWN])
        )
        assert logged.status_code == 201, logged.text
        return str(logged.json()["entries"][0]["id"])

    def proposal(self, owner: str, status: str = "proposed") -> str:
        """A new proposal to the owner's volunteer, made from a help request on the broker."""
        event = help_requested(quarter_id=QUARTER[owner])
        self.matching.publish(event)
        match = self.matching.help_request(event.help_request_id)["matches"][0]
        assert match["volunteer_id"] == self.volunteers[owner]["id"]
        if status == "accepted":
            accepted = self.client.post(f"/matches/{match['id']}/accept", headers=self.matching.coordinator())
            assert accepted.status_code == 200, accepted.text
        return str(match["id"])

    def feed_token(self) -> str:
        """The secret of a fresh calendar link (renewing and revoking cells change the older ones)."""
        path = f"/volunteers/{self.volunteers[OTHER]['id']}/calendar-feed"
        made = self.client.post(path, headers=self.matching.coordinator())
        assert made.status_code == 201, made.text
        return str(made.json()["url"]).rsplit("/", 1)[-1].removesuffix(".ics")

    def unmatched_request(self) -> str:
        event = help_requested(quarter_id="innenstadt-nord")
        self.matching.publish(event)
        request = self.matching.help_request(event.help_request_id)
        assert request["status"] == "unmatched", request
        return str(event.help_request_id)

    def headers(self, role: str | None) -> dict[str, str]:
        return {} if role is None else self.matching.tokens.headers(role, subject=ACCOUNT[OWN])

    def call(self, operation: str, owner: str | None, *, fresh: bool) -> Call:
        method, path = operation.split(" ", 1)
        whose = owner or OWN
        values = {"volunteer_id": self.volunteers[whose]["id"], "help_request_id": self.help_request_id}
        if "{entry_id}" in path:
            values["entry_id"] = self.submitted_entry() if fresh else self.waiting_entry
        if "{match_id}" in path:
            needs = NEEDS.get(path.rsplit("/", 1)[-1])
            values["match_id"] = self.proposal(whose, needs) if fresh and needs else self.matches[whose]
        if "{token}" in path:
            values["token"] = self.feed_token()
        body = BODIES.get(operation)
        if operation == "PUT /matches/{match_id}/appointment":
            body = {"starts_at": (self.matching.clock.now() + timedelta(days=365)).isoformat()}
        if operation.startswith("POST /help-requests/"):
            # a request nobody lives near (in the coordinator's queue): a fresh one for an allowed cell
            if fresh:
                values["help_request_id"] = self.unmatched_request()
            ids = [self.volunteers[OWN]["id"], self.volunteers[OTHER]["id"]]
            body = (
                {"volunteer_id": ids[0], "overrides": ["out_of_reach"]}
                if path.endswith("/assign")
                else {"volunteer_ids": ids, "overrides": ["out_of_reach"]}
            )
        if operation == "POST /volunteers/{volunteer_id}/absences":
            # a year ahead: it must not keep the volunteer from the proposals of later cells
            starts = self.matching.clock.now().date() + timedelta(days=365)
            body = {"starts_on": starts.isoformat(), "ends_on": (starts + timedelta(days=7)).isoformat()}
        if operation == "POST /volunteers/{volunteer_id}/vetting":
            body = {"certificate_date": self.matching.clock.now().date().isoformat(), "no_relevant_entry": True}
        if operation == "POST /volunteers/applications":
            body = {k: v for k, v in volunteer_body("Bewerbung", quarter_id="ziebigk").items()}
        if operation == "POST /volunteers":
            # in a quarter of their own: they must not take the help requests of the others
            body = volunteer_body(f"Neu {next(self.newcomers)}", quarter_id="ziebigk")
        return Call(method, path.format(**values), json=body)

    def owners(self, operation: str, body: Any) -> set[str] | None:
        if operation in MATCH_ANSWERS:
            return {self.owner_of[body["volunteer_id"]]}
        if operation in (
            "GET /volunteers/{volunteer_id}",
            "GET /volunteers/me",
            "POST /volunteers/{volunteer_id}/status",
            "PATCH /volunteers/{volunteer_id}",
            "POST /volunteers/{volunteer_id}/absences",
            "POST /volunteers/{volunteer_id}/vetting",
        ):
            return {self.owner_of[body["id"]]}
        if operation in MATCH_LISTS:
            return {self.owner_of[m["volunteer_id"]] for m in body}
        if operation == "GET /volunteers":
            return {self.owner_of[v["id"]] for v in body if v["id"] in self.owner_of}
        return None

    def after(self, operation: str, owner: str | None, response: httpx.Response) -> None:
        if operation == "POST /volunteers/{volunteer_id}/status" and response.status_code == 200:
            # paused volunteers are not asked: later cells need them active again
            back = self.client.post(response.url.path, json={"status": "active"}, headers=self.matching.coordinator())
            assert back.status_code == 200, back.text


@pytest.fixture(scope="module")
def world(module_service_settings: Any, tokens: Any) -> Iterator[MatchingWorld]:
    settings = module_service_settings(MatchingSettings, city_dir=DEMO_CITY, consumer_backoff_seconds=(0.2, 0.5))
    clock = TickingClock(reference_day())
    app = create_app(settings, clock=clock)
    with running_app(app, migrations_of="matching", database_url=settings.database_url) as client:
        eventually(lambda: client.get("/readyz").status_code == 200, what="matching ready")
        yield MatchingWorld(Matching(client, settings.nats_url, tokens, settings, clock))


def test_every_operation_of_the_api_has_a_row_in_the_table(world: MatchingWorld) -> None:
    assert untabled(world.client.app.openapi(), TABLE) == []


@pytest.mark.parametrize("role", CALLERS, ids=[role or "no-token" for role in CALLERS])
def test_each_caller_is_allowed_and_refused_exactly_as_the_table_says(world: MatchingWorld, role: str | None) -> None:
    problems = walk(world, world.client.app.openapi(), TABLE, role)
    assert not problems, "\n".join(problems)
