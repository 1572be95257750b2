"""Help requests that arrive together are handled a batch at a time, in one transaction, with the
candidates of a quarter read once -- and still get the proposals one transaction per request
would give: each proposal counts toward that volunteer's load for the requests after it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qn_infra.database import make_engine
from qn_matching.db import PROCESSED_EVENTS

from .conftest import CONSUMER

pytestmark = pytest.mark.integration

PROPOSED = "qn.matching.match.proposed.v1"


def _handled_at(database_url: str, event_ids: list[str]) -> list[object]:
    """When the consumer recorded each event as handled: one batch, one transaction, one time."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(
                connection.scalars(
                    select(PROCESSED_EVENTS.c.processed_at).where(
                        PROCESSED_EVENTS.c.consumer == CONSUMER, PROCESSED_EVENTS.c.event_id.in_(event_ids)
                    )
                )
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("batch_size", [1, 256], ids=["one_per_transaction", "one_batch"])
def test_requests_that_arrive_together_get_the_proposals_one_at_a_time_would_give(
    start_matching, batch_size: int
) -> None:
    with start_matching(consumer_batch_size=batch_size) as matching:
        renate = matching.register("Renate K.", languages=["de"])
        dmitri = matching.register("Dmitri S.", languages=["de", "ru"])
        aylin = matching.register("Aylin T.", languages=["de", "tr"])
        earlier = matching.help_requested()
        matching.publish(earlier)
        # nobody busy, same time slot: who registered first
        assert matching.help_request(earlier.help_request_id)["matches"][0]["volunteer_id"] == renate["id"]

    # while matching is down, six requests for the same quarter wait on the broker
    together = [
        matching.help_requested(),
        matching.help_requested(),
        matching.help_requested(languages=["tr"]),
        matching.help_requested(languages=["tr"]),
        matching.help_requested(),
        matching.help_requested(),
    ]
    event_ids = [str(matching.publish(event).id) for event in together]

    with start_matching(consumer_batch_size=batch_size) as matching:
        matching.wait_until_consumed()
        requests = [matching.help_request(event.help_request_id) for event in together]
        for event in together:
            matching.wait_for_event(PROPOSED, help_request_id=str(event.help_request_id))

    handled_at = _handled_at(matching.settings.database_url, event_ids)
    assert len(handled_at) == 6
    assert len(set(handled_at)) == (1 if batch_size > 1 else 6), "one transaction per batch"

    proposed = [request["matches"] for request in requests]
    assert all(len(matches) == 1 and matches[0]["status"] == "proposed" for matches in proposed)
    # load before each request (Renate, Dmitri, Aylin):  1 0 0 -> Dmitri;  1 1 0 -> Aylin;
    # 1 1 1, Turkish -> Aylin;  1 1 2, Turkish -> Aylin (the language counts before the load);
    # 1 1 3 -> Renate (registered before Dmitri);  2 1 3 -> Dmitri
    names = {renate["id"]: "Renate", dmitri["id"]: "Dmitri", aylin["id"]: "Aylin"}
    assert [names[matches[0]["volunteer_id"]] for matches in proposed] == [
        "Dmitri",
        "Aylin",
        "Aylin",
        "Aylin",
        "Renate",
        "Dmitri",
    ]
    # the score, too, sees the load a proposal earlier in the batch added: Dmitri free, Renate busy
    assert proposed[0][0]["score"] > proposed[4][0]["score"]
