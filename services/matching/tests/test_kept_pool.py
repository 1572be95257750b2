"""The help-request consumer keeps its candidates from batch to batch (`matches/kept_pool.py`):
whatever changes who can be asked, or how busy they are, between two batches -- an HTTP request,
an answer, another replica, a batch that rolled back, a new day -- the next request is proposed
to the volunteer a fresh read would choose."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from qn_contracts import EventMeta
from qn_contracts.vocabulary import VolunteerStatus
from qn_infra.clock import TickingClock
from qn_infra.consumers import Delivery
from qn_infra.database import migrate
from qn_matching.app import create_app
from qn_matching.config import MatchingSettings
from qn_matching.matches.handlers import receive_help_requests
from qn_matching.matches.kept_pool import KeptPool
from qn_matching.matches.models import Match
from qn_matching.volunteers import handlers as volunteers
from qn_matching.volunteers.domain import AbsenceReason, RegisterVolunteer, Slot
from qn_testkit.services import MIGRATIONS

from .conftest import Matching, help_requested

pytestmark = pytest.mark.integration

PROPOSED = "qn.matching.match.proposed.v1"


def _proposed_to(matching: Matching, event: Any) -> str:
    """Publishes `event` (one batch of its own, the consumer being idle) and answers the id of the
    volunteer it was proposed to."""
    matching.publish(event)
    matching.wait_for_event(PROPOSED, help_request_id=str(event.help_request_id))
    [match] = matching.help_request(event.help_request_id)["matches"]
    return str(match["volunteer_id"])


def test_a_volunteer_paused_between_two_batches_is_not_asked_and_asked_again_once_resumed(matching: Matching) -> None:
    renate = matching.register("Renate K.")
    dmitri = matching.register("Dmitri S.")
    assert _proposed_to(matching, matching.help_requested()) == renate["id"]  # registered first

    paused = matching.client.post(
        f"/volunteers/{dmitri['id']}/status", json={"status": "paused"}, headers=matching.coordinator()
    )
    assert paused.status_code == 200, paused.text
    # Dmitri is free and Renate busy, but Dmitri pauses: the pool of the batch before had him active
    assert _proposed_to(matching, matching.help_requested()) == renate["id"]

    resumed = matching.client.post(
        f"/volunteers/{dmitri['id']}/status", json={"status": "active"}, headers=matching.coordinator()
    )
    assert resumed.status_code == 200, resumed.text
    assert _proposed_to(matching, matching.help_requested()) == dmitri["id"]


def test_a_decline_between_two_batches_frees_the_volunteer_for_the_next_request(matching: Matching) -> None:
    renate = matching.register("Renate K.")
    dmitri = matching.register("Dmitri S.")
    first = matching.help_requested()
    assert _proposed_to(matching, first) == renate["id"]
    [match] = matching.help_request(first.help_request_id)["matches"]

    declined = matching.client.post(
        f"/matches/{match['id']}/decline", json={"reason": "no_time"}, headers=matching.coordinator()
    )
    assert declined.status_code in (200, 204), declined.text
    # the first request went on to Dmitri; Renate has nothing open any more
    assert [m["volunteer_id"] for m in matching.help_request(first.help_request_id)["matches"]] == [
        renate["id"],
        dmitri["id"],
    ]
    assert _proposed_to(matching, matching.help_requested()) == renate["id"]


def test_an_absence_entered_on_another_replica_is_seen_by_the_next_batch(
    matching: Matching, clock: TickingClock
) -> None:
    renate = matching.register("Renate K.")
    dmitri = matching.register("Dmitri S.")
    assert _proposed_to(matching, matching.help_requested()) == renate["id"]

    # a second replica of matching on the same database (its own process, its own memory) takes
    # Dmitri's holiday; this replica's consumer learns of it only through the database
    other_replica = TestClient(create_app(matching.settings, clock=clock))
    today = clock.now().date()
    absent = other_replica.post(
        f"/volunteers/{dmitri['id']}/absences",
        json={"starts_on": today.isoformat(), "ends_on": (today + timedelta(days=7)).isoformat(), "reason": "holiday"},
        headers=matching.coordinator(),
    )
    assert absent.status_code == 201, absent.text
    assert _proposed_to(matching, matching.help_requested()) == renate["id"]


# --- the pool itself, batch by batch, without the broker -----------------------------------------


@pytest.fixture
def matching_app(matching_settings: MatchingSettings, clock: TickingClock) -> Iterator[Any]:
    migrate(matching_settings.database_url, MIGRATIONS["matching"])
    app = create_app(matching_settings, clock=clock)
    yield app
    app.state.runtime.engine.dispose()


def _register(app: Any, name: str, clock: TickingClock) -> uuid.UUID:
    context = app.state.matching
    command = RegisterVolunteer(
        display_name=name,
        quarter_id="innenstadt-sued",
        skills=("shopping",),
        languages=("de",),
        availability=(Slot.from_dict({"weekday": "tu", "starts": "10:00", "ends": "12:00"}),),
    )
    volunteer_id: uuid.UUID = volunteers.register_volunteer(
        command,
        uow=app.state.runtime.unit_of_work(),
        city=context.city,
        known_skills=context.skills,
        registered_by="test",
        now=clock.now(),
    )
    return volunteer_id


def _batch(app: Any, kept: KeptPool, clock: TickingClock, *, requests: int = 1, commit: bool = True) -> list[uuid.UUID]:
    """One batch of help requests through the consumer's handler; answers the volunteers asked,
    in the order of the requests (as proposed in the batch, whether it commits or not)."""
    events = [help_requested() for _ in range(requests)]
    deliveries = [Delivery(event, EventMeta.for_event(event, time=clock.now())) for event in events]
    uow = app.state.runtime.unit_of_work()
    with uow:
        receive_help_requests(deliveries, uow, policy=app.state.matching.policy, clock=clock, kept=kept)
        asked = dict(
            uow.session.execute(
                select(Match.help_request_id, Match.volunteer_id).where(
                    Match.help_request_id.in_([e.help_request_id for e in events])
                )
            ).all()
        )
        if commit:
            uow.commit()
    return [asked[event.help_request_id] for event in events]


def _absence_next_month(app: Any, volunteer_id: uuid.UUID, clock: TickingClock) -> None:
    """A write to a volunteer that changes nobody's chances today (one statement)."""
    today = clock.now().date()
    volunteers.add_absence(
        volunteer_id,
        today + timedelta(days=30),
        today + timedelta(days=31),
        AbsenceReason.HOLIDAY,
        uow=app.state.runtime.unit_of_work(),
        entered_by="test",
        now=clock.now(),
        today=today,
    )


def test_a_batch_that_rolls_back_leaves_no_load_behind_in_the_kept_pool(matching_app: Any, clock: TickingClock) -> None:
    renate = _register(matching_app, "Renate K.", clock)
    dmitri = _register(matching_app, "Dmitri S.", clock)
    kept = KeptPool(matching_app.state.matching.policy)
    # a batch whose transaction fails after its proposal was made (bisection retries its halves)
    assert _batch(matching_app, kept, clock, commit=False) == [renate]
    # meanwhile someone else writes once: the counter is back where the failed batch had moved it
    _absence_next_month(matching_app, dmitri, clock)
    # nobody has anything open: Renate (registered first) is asked, then Dmitri
    assert _batch(matching_app, kept, clock, requests=2) == [renate, dmitri]


def test_the_pool_is_used_again_while_nothing_changed_and_read_anew_after_a_change(
    matching_app: Any, clock: TickingClock
) -> None:
    renate = _register(matching_app, "Renate K.", clock)
    _register(matching_app, "Dmitri S.", clock)
    policy = matching_app.state.matching.policy
    kept = KeptPool(policy)
    runtime = matching_app.state.runtime

    def pool_of_a_batch() -> object:
        with runtime.unit_of_work() as uow:
            today = clock.now().astimezone(policy.timezone).date()
            pool = kept.for_batch(uow, today)
            kept.keep(uow)
            uow.commit()
        return pool

    first = pool_of_a_batch()
    _batch(matching_app, kept, clock)  # the pool's own proposals: counted in, it stays
    assert pool_of_a_batch() is first
    # any write to a volunteer, by anyone, even one that changes nobody's chances today: the pool
    # cannot know that and reads anew
    _absence_next_month(matching_app, renate, clock)
    second = pool_of_a_batch()
    assert second is not first
    assert pool_of_a_batch() is second
    clock.advance(days=1)  # a new day: absences and checks are read for it
    assert pool_of_a_batch() is not second


class _ChangedDuringTheBatch(KeptPool):
    """The consumer's pool, with another transaction committing a change right after the next
    batch has begun (as another replica or a coordinator could, on PostgreSQL)."""

    def __init__(self, policy: Any) -> None:
        super().__init__(policy)
        self.meanwhile: Any = None

    def for_batch(self, uow: Any, today: Any) -> Any:
        pool = super().for_batch(uow, today)
        if self.meanwhile is not None:
            self.meanwhile()
            self.meanwhile = None
        return pool


def test_a_change_committed_during_a_batch_is_seen_by_the_batch_after(matching_app: Any, clock: TickingClock) -> None:
    if matching_app.state.runtime.engine.dialect.name == "sqlite":
        pytest.skip("on SQLite a batch holds the write lock: nobody else can commit during it")
    renate = _register(matching_app, "Renate K.", clock)
    dmitri = _register(matching_app, "Dmitri S.", clock)
    aylin = _register(matching_app, "Aylin T.", clock)
    kept = _ChangedDuringTheBatch(matching_app.state.matching.policy)
    assert _batch(matching_app, kept, clock) == [renate]

    def aylin_pauses() -> None:
        volunteers.change_status(
            aylin,
            VolunteerStatus.PAUSED,
            uow=matching_app.state.runtime.unit_of_work(),  # its own connection and transaction
            changed_by="coordinator",
            now=clock.now(),
        )

    kept.meanwhile = aylin_pauses
    # the batch read before the pause: as a fresh read at its start would, it may still ask Aylin
    # or not -- here the load decides (Renate 1, Dmitri 0, Aylin 0: Dmitri, registered first)
    assert _batch(matching_app, kept, clock) == [dmitri]
    # the batch after knows Aylin paused: Renate 1, Dmitri 1 -> Renate (registered first)
    assert _batch(matching_app, kept, clock) == [renate]
