"""What a coordinator reads on a proposal and how long it stays open: the reasons why this
volunteer, a deadline by urgency, and the coordinator taking over after so many refusals. Time
passes by the service's clock, never by waiting."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qn_contracts.vocabulary import Urgency
from qn_matching.matches.handlers import expire_proposals
from qn_matching.matches.reasons import WEEKDAY_DE

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")

pytestmark = pytest.mark.integration


def first_proposal(matching, **event_fields: object) -> dict:
    event = matching.help_requested(**event_fields)
    matching.publish(event)
    return matching.help_request(event.help_request_id)["matches"][0]


def test_a_proposal_says_why_this_volunteer_in_german_and_english(matching) -> None:
    matching.register("Renate K.", languages=["de"])
    # a slot the day after tomorrow, so that it is not running now whatever day the test runs on
    weekday = (matching.clock.now().astimezone(BERLIN).weekday() + 2) % 7
    slot = {"weekday": WEEKDAYS[weekday], "starts": "10:00", "ends": "12:00"}
    dmitri = matching.register(
        "Dmitri S.", languages=["de", "ru"], quarter_id="innenstadt-mitte", reach="neighbours", availability=[slot]
    )
    proposal = first_proposal(matching, languages=["ru"])
    assert proposal["volunteer_id"] == dmitri["id"]
    reasons = {reason["code"]: reason for reason in proposal["reasons"]}
    assert set(reasons) == {"offers_kind", "reaches_quarter", "speaks", "open_tasks", "available_from"}
    assert reasons["speaks"]["de"] == "spricht ru wie die Person"
    assert reasons["speaks"]["en"] == "speaks ru as the person does"
    assert reasons["reaches_quarter"]["de"] == "wohnt in innenstadt-mitte, hilft auch hier"
    assert reasons["open_tasks"]["en"] == "0 open tasks"
    # the words name the day and the local time of Dmitri's slot
    assert reasons["available_from"]["de"].startswith(f"hat Zeit ab {WEEKDAY_DE[weekday]} ")
    assert reasons["available_from"]["en"].endswith("10:00")
    shown = matching.client.get(f"/matches/{proposal['id']}", headers=matching.coordinator()).json()
    assert shown["reasons"] == proposal["reasons"]


@pytest.mark.parametrize(("urgency", "hours"), [(Urgency.IMMEDIATE, 4), (Urgency.SOON, 48), (Urgency.PLANNABLE, 72)])
def test_the_time_to_answer_follows_the_urgency(matching, urgency: Urgency, hours: int) -> None:
    matching.register("Renate K.")
    matching.register("Dmitri S.")
    proposal = first_proposal(matching, urgency=urgency)
    proposed_at = datetime.fromisoformat(proposal["proposed_at"])
    assert datetime.fromisoformat(proposal["expires_at"]) - proposed_at == timedelta(hours=hours)
    policy = matching.client.app.state.matching.policy
    uow = matching.client.app.state.runtime.unit_of_work
    assert expire_proposals(now=proposed_at + timedelta(hours=hours, seconds=-1), uow=uow(), policy=policy) == 0
    assert expire_proposals(now=proposed_at + timedelta(hours=hours), uow=uow(), policy=policy) == 1


def test_after_so_many_declines_the_coordinator_takes_over_though_someone_is_left(start_matching) -> None:
    with start_matching(max_attempts=2) as matching:
        for name in ("Renate K.", "Dmitri S.", "Aylin T."):
            matching.register(name)
        event = matching.help_requested()
        matching.publish(event)
        for _ in range(2):
            [open_one] = [
                m for m in matching.help_request(event.help_request_id)["matches"] if m["status"] == "proposed"
            ]
            declined = matching.client.post(f"/matches/{open_one['id']}/decline", headers=matching.coordinator())
            assert declined.status_code == 200, declined.text
        request = matching.help_request(event.help_request_id)
        assert len(request["matches"]) == 2
        assert request["status"] == "unmatched" and request["unmatched_reason"] == "all_declined"
        queue = matching.client.get("/help-requests", params={"status": "unmatched"}, headers=matching.coordinator())
        assert [r["id"] for r in queue.json()] == [str(event.help_request_id)]


def test_a_reason_names_the_help_in_words_not_its_code() -> None:
    from qn_matching.matches.reasons import words

    assert words({"code": "offers_kind", "kind": "company"}) == (
        "bietet „Gesellschaft leisten“ an",
        "offers 'Company'",
    )
