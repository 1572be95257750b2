"""A volunteer's personal calendar feed: a secret link they or a coordinator make, renew and
revoke, whose tasks show kind, quarter and time -- never the person, their name or address.
Written with `icalendar`, read here with `vobject`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
import vobject

pytestmark = pytest.mark.integration


def accepted_task(matching: Any, account: str, **request: Any) -> dict[str, Any]:
    event = matching.help_requested(**request)
    matching.publish(event)
    match = matching.help_request(event.help_request_id)["matches"][0]
    accepted = matching.client.post(f"/matches/{match['id']}/accept", headers=matching.volunteer(account))
    assert accepted.status_code == 200, accepted.text
    return accepted.json()


def feed_path(url: str) -> str:
    return url[url.index("/calendar-feeds/") :]


def test_a_volunteer_subscribes_to_their_tasks_without_anyones_name_or_address(matching) -> None:
    renate = matching.register(
        "Renate K.", account="renate.k", email="renate.k@example.org", skills=["shopping", "walk"]
    )
    wanted_by = matching.clock.now().date() + timedelta(days=5)
    timed = accepted_task(matching, "renate.k")
    all_day = accepted_task(matching, "renate.k", help_kind="walk", skills=[], wanted_by=wanted_by)
    starts = (matching.clock.now() + timedelta(days=2)).replace(microsecond=0)
    agreed = matching.client.put(
        f"/matches/{timed['id']}/appointment",
        json={"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(minutes=90)).isoformat()},
        headers=matching.volunteer("renate.k"),
    )
    assert agreed.status_code == 200, agreed.text

    made = matching.client.post(f"/volunteers/{renate['id']}/calendar-feed", headers=matching.volunteer("renate.k"))
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    assert url.startswith(matching.settings.public_url + "/calendar-feeds/") and url.endswith(".ics")

    feed = matching.client.get(feed_path(url))  # no token: the link is the secret
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "private" in feed.headers["cache-control"]
    calendar = vobject.readOne(feed.text)
    events = {e.uid.value: e for e in calendar.vevent_list}
    assert set(events) == {f"match-{timed['id']}@quartiersnetz", f"match-{all_day['id']}@quartiersnetz"}
    visit = events[f"match-{timed['id']}@quartiersnetz"]
    assert visit.dtstart.value == starts and visit.dtend.value == starts + timedelta(minutes=90)
    assert visit.summary.value == "Nachbarschaftshilfe: Einkaufen (Innerstädtischer Bereich Süd (Am Leipziger Tor))"
    walk = events[f"match-{all_day['id']}@quartiersnetz"]
    assert walk.dtstart.value == wanted_by and isinstance(walk.dtstart.value, date)
    assert not isinstance(walk.dtstart.value, datetime)
    for leak in ("Renate", "renate.k", "0340", "@example.org"):
        assert leak not in feed.text


def test_a_renewed_link_replaces_the_old_one_and_a_revoked_link_shows_nothing(matching) -> None:
    renate = matching.register("Renate K.", account="renate.k")
    path = f"/volunteers/{renate['id']}/calendar-feed"
    first = feed_path(matching.client.post(path, headers=matching.volunteer("renate.k")).json()["url"])
    second = feed_path(matching.client.post(path, headers=matching.coordinator()).json()["url"])
    assert first != second
    gone = matching.client.get(first)
    assert gone.status_code == 404 and gone.json()["errors"][0]["field"] == "token"
    assert matching.client.get(second).status_code == 200

    assert matching.client.delete(path, headers=matching.coordinator()).status_code == 204
    assert matching.client.get(second).status_code == 404
    assert matching.client.delete(path, headers=matching.volunteer("renate.k")).status_code == 204  # again: fine

    third = feed_path(matching.client.post(path, headers=matching.volunteer("renate.k")).json()["url"])
    archived = matching.client.post(
        f"/volunteers/{renate['id']}/status",
        json={"status": "inactive", "archive_reason": "moved"},
        headers=matching.coordinator(),
    )
    assert archived.status_code == 200, archived.text
    assert matching.client.get(third).status_code == 404  # an engagement that ended takes its link along


def test_an_appointment_is_for_an_accepted_task_and_lies_ahead(matching) -> None:
    matching.register("Renate K.", account="renate.k")
    event = matching.help_requested()
    matching.publish(event)
    match = matching.help_request(event.help_request_id)["matches"][0]
    path = f"/matches/{match['id']}/appointment"
    ahead = matching.clock.now() + timedelta(days=1)

    proposed = matching.client.put(path, json={"starts_at": ahead.isoformat()}, headers=matching.coordinator())
    assert proposed.status_code == 409 and proposed.json()["current_status"] == "proposed"

    matching.client.post(f"/matches/{match['id']}/accept", headers=matching.volunteer("renate.k"))
    past = matching.client.put(
        path,
        json={"starts_at": (matching.clock.now() - timedelta(hours=1)).isoformat()},
        headers=matching.coordinator(),
    )
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "starts_at"
    backwards = matching.client.put(
        path,
        json={"starts_at": ahead.isoformat(), "ends_at": (ahead - timedelta(hours=1)).isoformat()},
        headers=matching.coordinator(),
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "ends_at"
    naive = matching.client.put(path, json={"starts_at": "2030-01-01T10:00:00"}, headers=matching.coordinator())
    assert naive.status_code == 422
