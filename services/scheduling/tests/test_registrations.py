"""Registration for offers with limited places, as a coordinator signs people up for a course:
places are counted (anonymously or by intake's pseudonymous reference), a waitlist moves up on
cancellation, and the count reaches reporting with the attendance."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from qn_testkit.streams import read_stream
from qn_testkit.waiting import eventually

from .conftest import lunch_table, problem_field

pytestmark = pytest.mark.integration


def test_places_are_counted_and_the_waitlist_moves_up_on_cancellation(scheduling) -> None:
    assert scheduling.put_franztreff().status_code == 201
    monday = scheduling.quiet_monday()
    course = lunch_table(
        monday, title="Kochkurs", kind="course", org_id="dessauer-tafel", capacity=3, registration_required=True,
        rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=1",
    )  # fmt: skip
    offer = scheduling.offer(course).json()
    (occurrence,) = scheduling.occurrences(offer["id"], monday, monday)
    url = f"/occurrences/{occurrence['id']}/registrations"
    person = str(uuid.uuid4())

    def register(**body: object) -> dict[str, object]:
        made = scheduling.client.post(url, json=body, headers=scheduling.coordinator())
        assert made.status_code == 201, made.text
        return dict(made.json())

    first = register(places=2, person_ref=person)
    assert (first["status"], first["person_ref"]) == ("registered", person)
    assert register(places=2)["status"] == "waiting"  # one place is left, two are asked for
    assert register(places=1)["status"] == "waiting"  # someone waits ahead: no overtaking on arrival
    twice = scheduling.client.post(url, json={"person_ref": person}, headers=scheduling.coordinator())
    assert twice.status_code == 409 and problem_field(twice) == "person_ref"
    too_many = scheduling.client.post(url, json={"places": 4}, headers=scheduling.coordinator())
    assert too_many.status_code == 422 and problem_field(too_many) == "places"
    other_carrier = scheduling.client.post(url, json={}, headers=scheduling.carrier())
    assert other_carrier.status_code == 403
    listed = scheduling.client.get(url, headers=scheduling.coordinator()).json()
    assert (listed["capacity"], listed["registered"], listed["waiting"], listed["free"]) == (3, 2, 3, 1)

    cancelled = scheduling.client.post(f"/registrations/{first['id']}/cancel", headers=scheduling.coordinator())
    assert cancelled.status_code == 200, cancelled.text
    assert [r["places"] for r in cancelled.json()["moved_up"]] == [2, 1]
    again = scheduling.client.post(f"/registrations/{first['id']}/cancel", headers=scheduling.coordinator())
    assert again.status_code == 409
    listed = scheduling.client.get(url, headers=scheduling.coordinator()).json()
    assert (listed["registered"], listed["waiting"], listed["free"]) == (3, 0, 0)

    # after the course the coordinator counts who came; reporting learns attendance and registrations
    began = datetime.fromisoformat(occurrence["starts_at"]) + timedelta(minutes=5)
    scheduling.clock.advance(began - scheduling.clock.now())
    counted = scheduling.client.post(
        f"/occurrences/{occurrence['id']}/attendance", json={"attendance": 3}, headers=scheduling.coordinator()
    )
    assert counted.status_code == 200, counted.text
    attended = eventually(
        lambda: [m.body for m in read_stream(scheduling.nats_url, "QN_SCHEDULING")
                 if m.headers["ce-type"] == "qn.scheduling.occurrence.attended.v1"],
        what="the attendance event",
    )  # fmt: skip
    assert (attended[0]["attendance"], attended[0]["capacity"], attended[0]["registered"]) == (3, 3, 3)
    late = scheduling.client.post(url, json={}, headers=scheduling.coordinator())
    assert late.status_code == 422 and problem_field(late) == "occurrence_id"

    open_cafe = lunch_table(monday, title="Offenes Café", kind="open_cafe", capacity=None, rrule="FREQ=DAILY;COUNT=1")
    open_cafe.update(first_day=str(monday + timedelta(days=1)), room_id="beratung-1")
    cafe = scheduling.offer(open_cafe)
    assert cafe.status_code == 201, cafe.text
    (no_places,) = scheduling.occurrences(cafe.json()["id"], monday, monday + timedelta(days=1))
    refused = scheduling.client.post(
        f"/occurrences/{no_places['id']}/registrations", json={}, headers=scheduling.coordinator()
    )
    assert refused.status_code == 422 and problem_field(refused) == "occurrence_id"
