"""Who may do what in scheduling, cell by cell: every operation of the API x every role (and no
token) x a booking of Caritas (the carrier's own organisation) and one of the AWO (another's).
The carrier's token names Caritas as its organisation; the bookings are made through the API.

The table below is this test's own, not the service's policy: change them together."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from qn_infra.clock import TickingClock
from qn_scheduling.app import create_app
from qn_scheduling.config import SchedulingSettings
from qn_testkit.access_matrix import CALLERS, OTHER, OWN, PUBLIC, Call, row, untabled, walk
from qn_testkit.days import BERLIN, reference_day
from qn_testkit.services import running_app

from .conftest import DEMO_CITY, WEEKDAYS, Scheduling, at, franztreff, lunch_table

pytestmark = pytest.mark.integration

STAFF = {"coordinator", "admin"}
BOOKERS = STAFF | {"team_staff", "carrier"}
READERS = BOOKERS | {"kuemmerer", "volunteer"}
CARRIER = {"carrier"}

TABLE = {
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "PUT /sites/{site_id}": row(STAFF),
    "GET /sites": PUBLIC,
    "GET /sites/{site_id}": PUBLIC,
    "GET /programme": PUBLIC,
    "GET /sites/{site_id}/programme": PUBLIC,
    "GET /feeds/sites/{site_id}.ics": PUBLIC,
    "GET /feeds/sites/{site_id}/rooms/{room_id}.ics": PUBLIC,
    "GET /feeds/offers/{offer_id}.ics": PUBLIC,
    "GET /feeds/carriers/{org_id}.ics": PUBLIC,
    "GET /hsds/services": PUBLIC,
    "GET /hsds/organizations": PUBLIC,
    "GET /hsds/locations": PUBLIC,
    "POST /sites/{site_id}/rooms/{room_id}/bookings": row(BOOKERS, own_only=CARRIER, owned=True),
    "GET /sites/{site_id}/bookings": row(READERS, own_only=CARRIER),
    "GET /bookings/{booking_id}": row(READERS, own_only=CARRIER, owned=True),
    "POST /bookings/{booking_id}/cancel": row(BOOKERS, own_only=CARRIER, owned=True),
    "POST /sites/{site_id}/offers/preview": row(BOOKERS, own_only=CARRIER, owned=True),
    "POST /sites/{site_id}/offers": row(BOOKERS, own_only=CARRIER, owned=True),
    "GET /sites/{site_id}/offers": row(READERS),
    "GET /offers/{offer_id}": row(READERS, owned=True),
    "PATCH /offers/{offer_id}": row(BOOKERS, own_only=CARRIER, owned=True),
    "GET /offers/{offer_id}/occurrences": row(READERS, owned=True),
    "POST /occurrences/{occurrence_id}/cancel": row(BOOKERS, own_only=CARRIER, owned=True),
    "POST /occurrences/{occurrence_id}/move": row(BOOKERS, own_only=CARRIER, owned=True),
    "POST /occurrences/{occurrence_id}/approve": row(STAFF, owned=True),
    "POST /occurrences/{occurrence_id}/attendance": row(BOOKERS, own_only=CARRIER, owned=True),
    "POST /occurrences/{occurrence_id}/confirm": row(BOOKERS, own_only=CARRIER, owned=True),
    "POST /sites/{site_id}/rooms/{room_id}/waitlist": row(BOOKERS, own_only=CARRIER, owned=True),
    "POST /sites/{site_id}/rooms/{room_id}/requests": row(BOOKERS, own_only=CARRIER, owned=True),
    "GET /sites/{site_id}/requests": row(BOOKERS, own_only=CARRIER),
    "GET /requests/{request_id}": row(BOOKERS, own_only=CARRIER, owned=True),
    "POST /requests/{request_id}/withdraw": row(BOOKERS, own_only=CARRIER, owned=True),
    "POST /requests/{request_id}/approve": row(STAFF, owned=True),
    "POST /requests/{request_id}/reject": row(STAFF, owned=True),
    "POST /occurrences/{occurrence_id}/registrations": row(BOOKERS, own_only=CARRIER, owned=True),
    "GET /occurrences/{occurrence_id}/registrations": row(BOOKERS, own_only=CARRIER, owned=True),
    "POST /registrations/{registration_id}/cancel": row(BOOKERS, own_only=CARRIER, owned=True),
}

ORG = {OWN: "caritas-dessau", OTHER: "awo-dessau"}
# open every day from morning to night, so that every cell finds a free hour on the next days; closed
# (by a closure, not the opening hours) for a month far ahead, where offers wait for approval
# (no monthly quota for carriers: the cells pile up a carrier's hours in a few days; quotas are
# tested in test_room_requests.py)
SITE = franztreff(
    opening_hours=[{"weekday": day[:2], "opens": "06:00", "closes": "22:00"} for day in WEEKDAYS],
    booking_rules={"carrier_hours_per_month": None},
)
HOURS_A_DAY = 14  # 07:00 to 21:00
CLOSED_FROM, CLOSED_DAYS = 300, 30  # days after the first day
ATTENDANCE_POOL = 12  # occurrences per organisation that cells may record attendance of


class SchedulingWorld:
    def __init__(self, scheduling: Scheduling) -> None:
        self.scheduling, self.client = scheduling, scheduling.client
        # tomorrow morning holds occurrences that will have begun (attendance is recorded after
        # the start); every other cell books from the day after on
        self.attendance_day = scheduling.today() + timedelta(days=1)
        self.first_day = scheduling.today() + timedelta(days=2)
        self.hours = itertools.count()
        self.group_hours, self.closed_hours = itertools.count(), itertools.count()
        closure = {
            "first_day": str(self.first_day + timedelta(days=CLOSED_FROM)),
            "last_day": str(self.first_day + timedelta(days=CLOSED_FROM + CLOSED_DAYS)),
            "reason": "Umbau",
        }
        self.site = {**SITE, "closures": [closure]}
        created = self.client.put("/sites/franztreff", json=self.site, headers=scheduling.coordinator())
        assert created.status_code == 201, created.text
        self.bookings = {owner: self.booking(owner) for owner in (OWN, OTHER)}
        self.offers = {owner: self.offer(owner) for owner in (OWN, OTHER)}
        # room requests in the office (nothing else books it), a day ahead each, well within the horizon
        self.request_days = itertools.count()
        self.requests = {owner: self.room_request(owner) for owner in (OWN, OTHER)}
        self.registrations = {owner: self.registration(owner) for owner in (OWN, OTHER)}
        # a taken hour in the room the waitlist cells ask for
        self.taken = (self.first_day + timedelta(days=200), "09:00", "10:00")
        taken = self.client.post(
            "/sites/franztreff/rooms/beratung-2/bookings",
            json={"starts_at": at(self.taken[0], "09:00"), "ends_at": at(self.taken[0], "10:00"), "title": "Belegt"},
            headers=scheduling.coordinator(),
        )
        assert taken.status_code == 201, taken.text
        slots = itertools.count()
        self.begun = {
            owner: [self.begun_occurrence(owner, next(slots)) for _ in range(ATTENDANCE_POOL)] for owner in ORG
        }
        began = datetime.combine(self.attendance_day, time(8, 30), BERLIN)
        scheduling.clock.advance(began - scheduling.clock.now())

    def begun_occurrence(self, owner: str, slot: int) -> str:
        """An occurrence tomorrow between 06:00 and 08:00 (five minutes each), for attendance."""
        start = datetime.combine(self.attendance_day, time(6), BERLIN) + timedelta(minutes=5 * slot)
        body = lunch_table(
            self.attendance_day,
            org_id=ORG[owner],
            room_id="gruppenraum",
            starts=f"{start:%H:%M}",
            ends=f"{start + timedelta(minutes=5):%H:%M}",
            rrule="FREQ=DAILY;COUNT=1",
        )
        made = self.client.post("/sites/franztreff/offers", json=body, headers=self.scheduling.coordinator())
        assert made.status_code == 201, made.text
        day = self.attendance_day.isoformat()
        listed = self.client.get(
            f"/offers/{made.json()['id']}/occurrences",
            params={"from": day, "to": day},
            headers=self.scheduling.coordinator(),
        )
        return str(listed.json()[0]["id"])

    def request_body(self, owner: str) -> dict[str, Any]:
        n = next(self.request_days)
        day, hour = self.first_day + timedelta(days=n // HOURS_A_DAY), 7 + n % HOURS_A_DAY
        start, end = f"{hour:02d}:00", f"{hour:02d}:30"
        return {"starts_at": at(day, start), "ends_at": at(day, end), "title": "Sprechstunde", "org_id": ORG[owner]}

    def room_request(self, owner: str) -> str:
        """A new pending room request for the owner's organisation, made by the coordinator."""
        made = self.client.post(
            "/sites/franztreff/rooms/buero/requests",
            json=self.request_body(owner),
            headers=self.scheduling.coordinator(),
        )
        assert made.status_code == 201, made.text
        return str(made.json()["id"])

    def registration(self, owner: str) -> str:
        """A new registration for the owner's offer's occurrence, made by the coordinator."""
        _, occurrence_id = self.offers[owner]
        made = self.client.post(
            f"/occurrences/{occurrence_id}/registrations", json={"places": 1}, headers=self.scheduling.coordinator()
        )
        assert made.status_code == 201, made.text
        return str(made.json()["id"])

    def free_hour(self) -> tuple[date, str, str]:
        n = next(self.hours)
        day, hour = self.first_day + timedelta(days=n // HOURS_A_DAY), 7 + n % HOURS_A_DAY
        return day, f"{hour:02d}:00", f"{hour + 1:02d}:00"

    def booking_body(self, owner: str) -> dict[str, Any]:
        day, start, end = self.free_hour()
        return {"starts_at": at(day, start), "ends_at": at(day, end), "title": "Sprechstunde", "org_id": ORG[owner]}

    def booking(self, owner: str) -> str:
        """A new booking for the owner's organisation, made by the coordinator."""
        made = self.client.post(
            "/sites/franztreff/rooms/beratung-1/bookings",
            json=self.booking_body(owner),
            headers=self.scheduling.coordinator(),
        )
        assert made.status_code == 201, made.text
        return str(made.json()["id"])

    def offer_body(self, owner: str, *, closed: bool = False) -> dict[str, Any]:
        """A one-off offer of the owner's organisation in the group room at a free hour (on a
        closure day, waiting for approval, when `closed`)."""
        counter, first = (self.closed_hours, CLOSED_FROM) if closed else (self.group_hours, 0)
        n = next(counter)
        day, hour = self.first_day + timedelta(days=first + n // HOURS_A_DAY), 7 + n % HOURS_A_DAY
        return lunch_table(
            day,
            org_id=ORG[owner],
            room_id="gruppenraum",
            starts=f"{hour:02d}:00",
            ends=f"{hour + 1:02d}:00",
            rrule="FREQ=DAILY;COUNT=1",
            on_holiday="keep",
        )

    def offer(self, owner: str, *, closed: bool = False) -> tuple[str, str]:
        """A new offer of the owner's organisation, made by the coordinator: its id and its one occurrence's."""
        body = self.offer_body(owner, closed=closed)
        made = self.client.post("/sites/franztreff/offers", json=body, headers=self.scheduling.coordinator())
        assert made.status_code == 201, made.text
        listed = self.client.get(
            f"/offers/{made.json()['id']}/occurrences",
            params={"from": body["first_day"], "to": body["first_day"]},
            headers=self.scheduling.coordinator(),
        )
        return str(made.json()["id"]), str(listed.json()[0]["id"])

    def headers(self, role: str | None) -> dict[str, str]:
        if role is None:
            return {}
        claims = {"org": ORG[OWN]} if role == "carrier" else {"team": "team-innenstadt"} if role == "team_staff" else {}
        return self.scheduling.tokens.headers(role, subject=f"{role}.matrix", **claims)

    def call(self, operation: str, owner: str | None, *, fresh: bool) -> Call:
        method, path = operation.split(" ", 1)
        whose = owner or OWN
        if operation == "POST /sites/{site_id}/rooms/{room_id}/waitlist":
            day, start, end = self.taken
            body = {"starts_at": at(day, start), "ends_at": at(day, end), "title": "Wartet", "org_id": ORG[whose]}
            return Call(method, path.format(site_id="franztreff", room_id="beratung-2"), json=body)
        if operation == "POST /occurrences/{occurrence_id}/attendance":
            # a refused cell uses the first, never counted; an allowed one counts a fresh one
            occurrence_id = self.begun[whose].pop() if fresh else self.begun[whose][0]
            url = path.format(occurrence_id=occurrence_id)
            return Call(method, url, json={"attendance": 3})
        if operation == "POST /sites/{site_id}/rooms/{room_id}/requests":
            url = path.format(site_id="franztreff", room_id="buero")
            return Call(method, url, json=self.request_body(whose))
        if "/requests/{request_id}" in operation:
            request_id = self.room_request(whose) if fresh and operation != "GET /requests/{request_id}" else None
            url = path.format(request_id=request_id or self.requests[whose])
            return Call(method, url, json={"reason": "other"} if operation.endswith("/reject") else None)
        if operation == "POST /registrations/{registration_id}/cancel":
            registration_id = self.registration(whose) if fresh else self.registrations[whose]
            return Call(method, path.format(registration_id=registration_id))
        if operation == "POST /occurrences/{occurrence_id}/registrations":
            _, occurrence_id = self.offers[whose]
            return Call(method, path.format(occurrence_id=occurrence_id), json={"places": 1})
        if "/occurrences/" in operation:
            changes = fresh or operation.endswith("/approve")  # approving needs an occurrence that waits
            offer_id, occurrence_id = (
                self.offer(whose, closed=operation.endswith("/approve")) if changes else self.offers[whose]
            )
        else:
            offer_id, occurrence_id = self.offers[whose]
            if fresh and operation == "PATCH /offers/{offer_id}":
                offer_id, occurrence_id = self.offer(whose)
        booking_id = (
            self.booking(whose)
            if fresh and operation.endswith("/cancel") and "booking" in operation
            else self.bookings[whose]
        )
        url = path.format(
            org_id=ORG[whose],
            site_id="franztreff",
            room_id="beratung-2",
            booking_id=booking_id,
            offer_id=offer_id,
            occurrence_id=occurrence_id,
        )
        if operation in ("POST /sites/{site_id}/offers", "POST /sites/{site_id}/offers/preview"):
            return Call(method, url, json=self.offer_body(whose))
        if operation == "PATCH /offers/{offer_id}":
            return Call(method, url, json={"scope": "series", "title": "Mittagstisch am Mittag"})
        if operation == "POST /occurrences/{occurrence_id}/move":
            target = self.offer_body(whose)
            day = date.fromisoformat(target["first_day"])
            return Call(method, url, json={"starts_at": at(day, target["starts"]), "ends_at": at(day, target["ends"])})
        if operation == "GET /offers/{offer_id}/occurrences":
            period = {"from": str(self.first_day), "to": str(self.first_day + timedelta(days=60))}
            return Call(method, url, params=period)
        if operation == "PUT /sites/{site_id}":
            return Call(method, url, json=self.site)  # the same site again: 200, nothing changes
        if operation == "POST /sites/{site_id}/rooms/{room_id}/bookings":
            return Call(method, url, json=self.booking_body(whose))
        if operation == "GET /sites/{site_id}/bookings":
            period = {"from": str(self.first_day), "to": str(self.first_day + timedelta(days=30))}
            return Call(method, url, params=period)
        return Call(method, url)

    def owners(self, operation: str, body: Any) -> set[str] | None:
        whose = {org: owner for owner, org in ORG.items()}
        if operation in (
            "POST /sites/{site_id}/offers",
            "GET /offers/{offer_id}",
            "PATCH /offers/{offer_id}",
            "POST /sites/{site_id}/rooms/{room_id}/waitlist",
        ):
            return {whose[body["org_id"]]}
        if (
            "offers" in operation
            or "occurrences" in operation
            or "programme" in operation
            or "feeds" in operation
            or "hsds" in operation
        ):
            return None  # the programme is public; an occurrence names no organisation
        if operation in ("GET /sites/{site_id}/bookings", "GET /sites/{site_id}/requests"):
            return {whose[booking["org_id"]] for booking in body}
        if "requests" in operation:
            return {whose[body["org_id"]]}
        if "booking" in operation:
            return {whose[body["org_id"]]}
        return None

    def after(self, operation: str, owner: str | None, response: httpx.Response) -> None:
        return None


@pytest.fixture(scope="module")
def world(module_service_settings: Any, tokens: Any) -> Iterator[SchedulingWorld]:
    settings = module_service_settings(SchedulingSettings, city_dir=DEMO_CITY)
    clock = TickingClock(reference_day())
    app = create_app(settings, clock=clock)
    with running_app(app, migrations_of="scheduling", database_url=settings.database_url) as client:
        yield SchedulingWorld(Scheduling(client, settings.nats_url, tokens, settings, clock))


def test_every_operation_of_the_api_has_a_row_in_the_table(world: SchedulingWorld) -> None:
    assert untabled(world.client.app.openapi(), TABLE) == []


@pytest.mark.parametrize("role", CALLERS, ids=[role or "no-token" for role in CALLERS])
def test_each_caller_is_allowed_and_refused_exactly_as_the_table_says(world: SchedulingWorld, role: str | None) -> None:
    problems = walk(world, world.client.app.openapi(), TABLE, role)
    assert not problems, "\n".join(problems)
