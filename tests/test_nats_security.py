"""The broker as city IT runs it: a nats-server started with the users and permissions generated
from the demo city (`qn_infra.nats_config`). No one connects without a password; a carrier reads
only what is addressed to it, through its own durable consumer, and publishes nothing; a service
publishes only its own subjects; and the services themselves still work under it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig

from qn_contracts import EventMeta, encode
from qn_contracts.intake import ConcernRecorded, ConsentWithdrawn, ReferralRequested
from qn_contracts.scheduling import BookingConfirmed
from qn_infra.cli import create_streams
from qn_infra.messaging import ALL_STREAMS, ensure_streams
from qn_intake.config import IntakeSettings
from qn_testkit.city import start_city, stop_city
from qn_testkit.nats_servers import SecuredNats, start_secured_nats
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.integration

AWO, CARITAS = "awo-dessau", "caritas-dessau"
STREAM_NAMES = [spec.name for spec in ALL_STREAMS]


@pytest.fixture
def bare_broker(tmp_path: Path) -> Iterator[SecuredNats]:
    """A secured server without streams yet."""
    secured = start_secured_nats(tmp_path)
    try:
        yield secured
    finally:
        secured.server.stop()


@pytest.fixture
def broker(bare_broker: SecuredNats) -> SecuredNats:
    """A secured server whose streams the admin made, as the migration step does."""
    asyncio.run(_with(bare_broker, "admin", lambda nc, _: ensure_streams(nc.jetstream())))
    return bare_broker


def _make_streams_as(broker: SecuredNats, user: str, tmp_path: Path) -> int:
    """`python -m qn_intake streams` as `user` (in-process: the command's own code, without the
    seconds a process takes to import the service)."""
    settings = IntakeSettings(
        data_dir=tmp_path, nats_url=broker.url, nats_user=user, nats_password=broker.passwords[user]
    )
    return asyncio.run(create_streams(settings, timeout=1.0))


def test_the_migration_step_makes_the_streams_as_admin_and_a_service_may_not(
    bare_broker: SecuredNats, tmp_path: Path
) -> None:
    assert _make_streams_as(bare_broker, "intake", tmp_path) == 1
    assert _make_streams_as(bare_broker, "admin", tmp_path) == 0

    async def names(nc: nats.NATS, _: list[str]) -> list[str]:
        return sorted([(await nc.jetstream().stream_info(name)).config.name for name in STREAM_NAMES])

    assert asyncio.run(_with(bare_broker, "admin", names))[0] == sorted(STREAM_NAMES)


async def _connect(broker: SecuredNats, user: str, errors: list[str]) -> nats.NATS:
    async def collect(error: Exception) -> None:
        errors.append(str(error).lower())

    return await nats.connect(
        broker.url,
        user=user,
        password=broker.passwords[user],
        inbox_prefix=f"_INBOX.{user}",
        error_cb=collect,
        allow_reconnect=False,
    )


async def _with(broker: SecuredNats, user: str, work):  # type: ignore[no-untyped-def]
    """Runs `work(connection, errors)` connected as `user`; returns (its result, the server's errors)."""
    errors: list[str] = []
    nc = await _connect(broker, user, errors)
    try:
        result = await work(nc, errors)
        await nc.flush()
        await asyncio.sleep(0.1)  # a permissions violation arrives asynchronously
        return result, errors
    finally:
        await nc.close()


def _referral(target: str) -> ReferralRequested:
    return ReferralRequested.model_validate(
        {
            "referral_id": str(uuid.uuid4()),
            "concern_id": str(uuid.uuid4()),
            "quarter_id": "innenstadt-sued",
            "topics": ["schulden"],
            "urgency": "soon",
            "target_id": target,
            "target_kind": "carrier",
            "due_at": "2026-11-24T10:00:00+01:00",
        }
    )


def _publish(broker: SecuredNats, user: str, *events) -> list[str]:  # type: ignore[no-untyped-def]
    async def send(nc: nats.NATS, _: list[str]) -> None:
        js = nc.jetstream()
        for event in events:
            message = encode(event, EventMeta.for_event(event))
            # a refused publish is never acknowledged; the server says why in `errors`
            with contextlib.suppress(nats.errors.TimeoutError):
                await js.publish(message.subject, message.body, headers=message.headers, timeout=2)

    return asyncio.run(_with(broker, user, send))[1]


def _read_own(broker: SecuredNats, organisation: str, stream: str, producer: str) -> list[str]:
    """What an organisation's system pulls through its own durable consumer: the subjects."""

    async def pull(nc: nats.NATS, _: list[str]) -> list[str]:
        sub = await nc.jetstream().pull_subscribe(
            f"qn.v1.{producer}.*.*.{organisation}", durable=f"org-{organisation}", stream=stream
        )
        subjects = []
        # until nothing more comes: on a loaded machine a publish may be stored after its ack
        # timed out (`_publish` lets that pass), and one fetch can end before it arrives
        while True:
            try:
                messages = await sub.fetch(50, timeout=1)
            except nats.errors.TimeoutError:
                return subjects
            for message in messages:
                subjects.append(message.subject)
                await message.ack()

    return asyncio.run(_with(broker, f"org-{organisation}", pull))[0]


def _violations(errors: list[str]) -> list[str]:
    return [error for error in errors if "permissions violation" in error]


def test_no_one_connects_without_a_password_or_with_a_wrong_one(broker: SecuredNats) -> None:
    async def attempt(**credentials: str) -> str:
        try:
            nc = await nats.connect(broker.url, allow_reconnect=False, max_reconnect_attempts=0, **credentials)
        except Exception as exc:  # noqa: BLE001 -- the refusal is what we look for
            return str(exc)
        await nc.close()
        return "connected"

    assert "Authorization Violation" in asyncio.run(attempt())
    assert "Authorization Violation" in asyncio.run(attempt(user="intake", password="guessed"))
    assert "Authorization Violation" in asyncio.run(attempt(user=f"org-{AWO}", password=broker.passwords["intake"]))


def test_a_carrier_reads_the_events_addressed_to_it_and_nothing_else(broker: SecuredNats) -> None:
    person = uuid.uuid4()
    concern = ConcernRecorded(
        concern_id=uuid.uuid4(), quarter_id="innenstadt-sued", channel="walk_in", topics=["schulden"], urgency="soon"
    )
    withdrawn = ConsentWithdrawn(person_ref=person, purpose="referral", carrier_id=CARITAS)
    assert not _publish(broker, "intake", _referral(AWO), _referral(CARITAS), _referral(CARITAS), withdrawn, concern)
    booking = {"site_id": "franztreff", "room_id": "beratung-1", "starts_at": "2026-12-01T10:00:00+01:00"}
    assert not _publish(
        broker,
        "scheduling",
        BookingConfirmed.model_validate(
            {**booking, "booking_id": str(uuid.uuid4()), "ends_at": "2026-12-01T11:00:00+01:00", "org_id": AWO}
        ),
        BookingConfirmed.model_validate(
            {**booking, "booking_id": str(uuid.uuid4()), "ends_at": "2026-12-01T11:00:00+01:00", "org_id": CARITAS}
        ),
    )

    assert _read_own(broker, AWO, "QN_INTAKE", "intake") == [f"qn.v1.intake.referral.requested.{AWO}"]
    assert _read_own(broker, AWO, "QN_SCHEDULING", "scheduling") == [f"qn.v1.scheduling.booking.confirmed.{AWO}"]
    assert sorted(_read_own(broker, CARITAS, "QN_INTAKE", "intake")) == [
        f"qn.v1.intake.consent.withdrawn.{CARITAS}",
        f"qn.v1.intake.referral.requested.{CARITAS}",
        f"qn.v1.intake.referral.requested.{CARITAS}",
    ]


def test_a_carrier_cannot_read_another_carriers_events_by_any_way_round(broker: SecuredNats) -> None:
    assert not _publish(broker, "intake", _referral(CARITAS))
    _read_own(broker, CARITAS, "QN_INTAKE", "intake")  # Caritas has its durable consumer now
    assert not _publish(broker, "intake", _referral(CARITAS))  # ... and one referral waiting in it

    async def trespass(nc: nats.NATS, errors: list[str]) -> dict[str, object]:
        js, tried = nc.jetstream(), {}

        async def request(name: str, subject: str, body: dict[str, object] | None = None) -> None:
            try:
                reply = await nc.request(subject, json.dumps(body or {}).encode(), timeout=0.5)
                tried[name] = json.loads(reply.data).get("error", {}).get("description", "answered")
            except nats.errors.TimeoutError:
                tried[name] = "no answer"

        # a consumer of its own name on Caritas' subjects, asked for the documented way ...
        config = ConsumerConfig(
            name=f"org-{AWO}", durable_name=f"org-{AWO}", filter_subject=f"qn.v1.intake.*.*.{CARITAS}"
        )
        try:
            await js.add_consumer("QN_INTAKE", config, timeout=0.5)
            tried["other filter"] = "created"
        except nats.errors.TimeoutError:
            tried["other filter"] = "no answer"
        # ... or with its own filter in the subject but a wider one in the request
        own = f"$JS.API.CONSUMER.CREATE.QN_INTAKE.org-{AWO}.qn.v1.intake.*.*.{AWO}"
        wide = {"name": f"org-{AWO}", "durable_name": f"org-{AWO}", "ack_policy": AckPolicy.EXPLICIT.value}
        await request(
            "wider filter", own, {"stream_name": "QN_INTAKE", "config": {**wide, "filter_subject": "qn.v1.intake.>"}}
        )
        await request(
            "filter list", own, {"stream_name": "QN_INTAKE", "config": {**wide, "filter_subjects": ["qn.v1.intake.>"]}}
        )
        await request(
            "no filter", f"$JS.API.CONSUMER.CREATE.QN_INTAKE.org-{AWO}", {"stream_name": "QN_INTAKE", "config": wide}
        )
        # Caritas' own consumer, the stream's messages, another's inbox, the subjects themselves
        await request("pull Caritas' consumer", f"$JS.API.CONSUMER.MSG.NEXT.QN_INTAKE.org-{CARITAS}", {"batch": 1})
        await request("look at Caritas' consumer", f"$JS.API.CONSUMER.INFO.QN_INTAKE.org-{CARITAS}")
        await request("get a stored message", "$JS.API.STREAM.MSG.GET.QN_INTAKE", {"seq": 1})
        await request("direct get", "$JS.API.DIRECT.GET.QN_INTAKE", {"seq": 1})
        await nc.subscribe(f"_INBOX.org-{CARITAS}.>")
        await nc.subscribe("qn.v1.intake.>")
        return tried

    tried, errors = asyncio.run(_with(broker, f"org-{AWO}", trespass))
    assert tried == {
        "other filter": "no answer",
        "wider filter": "Consumer create request did not match filtered subject from create subject",
        "filter list": "consumer with multiple subject filters cannot use subject based API",
        "no filter": "no answer",
        "pull Caritas' consumer": "no answer",
        "look at Caritas' consumer": "no answer",
        "get a stored message": "no answer",
        "direct get": "no answer",
    }
    denied = "\n".join(_violations(errors))
    for refused in (
        f'publish to "$js.api.consumer.create.qn_intake.org-{AWO}.qn.v1.intake.*.*.{CARITAS}"',
        f'publish to "$js.api.consumer.msg.next.qn_intake.org-{CARITAS}"',
        f'subscription to "_inbox.org-{CARITAS}.>"',
        'subscription to "qn.v1.intake.>"',
    ):
        assert refused in denied
    assert _read_own(broker, CARITAS, "QN_INTAKE", "intake") == [f"qn.v1.intake.referral.requested.{CARITAS}"]


def test_a_carrier_can_publish_no_event_not_even_one_addressed_to_itself(broker: SecuredNats) -> None:
    errors = _publish(broker, f"org-{AWO}", _referral(AWO))
    assert f'permissions violation for publish to "qn.v1.intake.referral.requested.{AWO}"' in "\n".join(errors)
    assert _read_own(broker, AWO, "QN_INTAKE", "intake") == []


def test_a_service_publishes_only_its_own_subjects_and_makes_no_streams(broker: SecuredNats) -> None:
    assert _violations(_publish(broker, "matching", _referral(AWO)))  # an intake event
    concern = ConcernRecorded(
        concern_id=uuid.uuid4(), quarter_id="innenstadt-sued", channel="walk_in", topics=["alter"], urgency="soon"
    )
    assert _violations(_publish(broker, "scheduling", concern))

    async def overreach(nc: nats.NATS, _: list[str]) -> None:
        await nc.publish("qn.dlq.reporting-intake-events.qn.v1.intake.concern.recorded", b"{}")  # another's dead letter
        await nc.publish("$JS.API.STREAM.DELETE.QN_INTAKE", b"")
        await nc.publish("$JS.API.CONSUMER.CREATE.QN_INTAKE.intake-all.qn.v1.intake.>", b"{}")

    _, errors = asyncio.run(_with(broker, "intake", overreach))
    assert len(_violations(errors)) == 3
    assert not _publish(broker, "intake", _referral(AWO))  # its own


def test_the_services_work_under_the_generated_permissions(broker: SecuredNats, databases, tokens, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "city").mkdir()
    city = start_city(
        databases,
        tokens,
        tmp_path / "city",
        nats=broker.server,
        **{name: broker.settings_of(name) for name in ("intake", "matching", "scheduling", "reporting")},
    )
    try:
        with city.client("intake", "team_staff", team="team-innenstadt") as intake:
            response = intake.post(
                "/concerns",
                json={
                    "channel": "phone",
                    "topics": ["schulden"],
                    "urgency": "soon",
                    "address": {"street": "Zerbster Straße", "house_number": "4"},
                },
            )
            assert response.status_code == 201, response.text

        def counted() -> int:
            with city.client("reporting", "admin") as reporting:
                figures = reporting.get("/counts", params={"metric": "concern.recorded", "topic": "*"})
                return int(figures.json()["total"]) if figures.status_code == 200 else 0

        eventually(lambda: counted() == 1, timeout=30, what="the concern counted in reporting")
        # routed to the debt counselling of Caritas: it reads the referral, AWO nothing
        eventually(
            lambda: _read_own(broker, CARITAS, "QN_INTAKE", "intake") == [f"qn.v1.intake.referral.requested.{CARITAS}"],
            timeout=30,
            what="Caritas reading its referral",
        )
        assert _read_own(broker, AWO, "QN_INTAKE", "intake") == []
    finally:
        stop_city(city)
