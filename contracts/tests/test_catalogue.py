"""The event catalogue as a carrier's developer would check it: documented, versioned, and free of
personal data."""

from __future__ import annotations

import re
import uuid

import pytest
from pydantic import ValidationError

from qn_contracts import ALL_EVENTS, STREAMS, Event, EventMeta, decode, encode, stream_for_subject, subject_of
from qn_contracts.intake import ConsentWithdrawn, ReferralRequested
from qn_contracts.wire import WireFormatError

pytestmark = pytest.mark.unit

SUBJECT = re.compile(
    r"^qn\.v[0-9]+\.(intake|matching|scheduling|reporting)\.[a-z_]+\.[a-z_]+(\.([a-z0-9][a-z0-9_-]*|_none))?$"
)
# Field names that would mean a direct identifier travels in an event.
PERSONAL = re.compile(r"(^|_)(name|first_name|last_name|street|address|house|phone|email|birth|note|comment|text)($|_)")


def example_event(cls: type[Event]) -> Event:
    """An instance built only from the examples documented on each field."""
    properties = cls.model_json_schema()["properties"]
    return cls.model_validate({name: prop["examples"][0] for name, prop in properties.items()})


def test_the_catalogue_has_every_event_the_services_need() -> None:
    types = {cls.spec.type for cls in ALL_EVENTS}
    for expected in [
        "qn.intake.concern.recorded.v1",
        "qn.intake.referral.requested.v1",
        "qn.intake.referral.status_changed.v1",
        "qn.intake.help.requested.v1",
        "qn.intake.signal.raised.v1",
        "qn.intake.follow_up.due.v1",
        "qn.intake.follow_up.done.v1",
        "qn.intake.consent.withdrawn.v1",
        "qn.intake.person.erased.v1",
        "qn.matching.volunteer.registered.v1",
        "qn.matching.volunteer.status_changed.v1",
        "qn.matching.match.proposed.v1",
        "qn.matching.match.accepted.v1",
        "qn.matching.match.declined.v1",
        "qn.matching.match.expired.v1",
        "qn.matching.match.completed.v1",
        "qn.matching.help_request.unmatched.v1",
        "qn.matching.assignment.completed.v1",
        "qn.scheduling.site.updated.v1",
        "qn.scheduling.booking.confirmed.v1",
        "qn.scheduling.booking.rejected.v1",
        "qn.scheduling.booking.cancelled.v1",
        "qn.scheduling.occurrence.attended.v1",
        "qn.scheduling.offer.published.v1",
        "qn.reporting.report.published.v1",
    ]:
        assert expected in types


@pytest.mark.parametrize("cls", ALL_EVENTS, ids=lambda c: c.spec.type)
def test_every_field_has_a_description_and_an_example(cls: type[Event]) -> None:
    for name, prop in cls.model_json_schema()["properties"].items():
        assert prop.get("description"), f"{cls.__name__}.{name} has no description"
        assert prop.get("examples"), f"{cls.__name__}.{name} has no example"


@pytest.mark.parametrize("cls", ALL_EVENTS, ids=lambda c: c.spec.type)
def test_no_event_carries_a_direct_identifier(cls: type[Event]) -> None:
    offending = [name for name in cls.model_fields if PERSONAL.search(name)]
    # a site's name and postal address, an offer's title: public facts about places, not persons
    public_place = cls.spec.classification.value == "public" and cls.spec.entity in ("site", "offer")
    offending = [n for n in offending if not (public_place and n in ("name", "title", "address"))]
    assert not offending, f"{cls.__name__} has fields that look like personal data: {offending}"


@pytest.mark.parametrize("cls", ALL_EVENTS, ids=lambda c: c.spec.type)
def test_subject_follows_the_scheme_and_lies_in_its_producers_stream(cls: type[Event]) -> None:
    subject = subject_of(example_event(cls))
    assert SUBJECT.match(subject), subject
    assert stream_for_subject(subject) is STREAMS[cls.spec.producer]


def test_events_for_one_organisation_name_it_in_their_subject() -> None:
    addressed = {cls.spec.type: cls.spec.address for cls in ALL_EVENTS if cls.spec.address}
    assert addressed == {
        "qn.intake.referral.requested.v1": "target_id",
        "qn.intake.referral.status_changed.v1": "target_id",
        "qn.intake.referral.overdue.v1": "target_id",
        "qn.intake.consent.withdrawn.v1": "carrier_id",
        "qn.scheduling.booking.requested.v1": "org_id",
        "qn.scheduling.booking.confirmed.v1": "org_id",
        "qn.scheduling.booking.rejected.v1": "org_id",
        "qn.scheduling.booking.cancelled.v1": "org_id",
    }
    referral = example_event(ReferralRequested)
    assert subject_of(referral) == "qn.v1.intake.referral.requested.jugendamt-asd"
    for_help = ConsentWithdrawn(person_ref=uuid.uuid4(), purpose="neighbourly_help")
    assert subject_of(for_help) == "qn.v1.intake.consent.withdrawn._none"


def test_an_organisation_id_cannot_hold_what_a_subject_token_cannot() -> None:
    for bad in ("awo.dessau", "awo*", "awo>", "awo dessau", "_none"):
        with pytest.raises(ValidationError):
            ConsentWithdrawn(person_ref=uuid.uuid4(), purpose="referral", carrier_id=bad)


@pytest.mark.parametrize("cls", ALL_EVENTS, ids=lambda c: c.spec.type)
def test_an_event_survives_the_wire_with_its_cloudevents_headers(cls: type[Event]) -> None:
    event = example_event(cls)
    meta = EventMeta.for_event(event, correlation_id="req-1", causation_id="evt-0")
    message = encode(event, meta)
    assert message.headers["Nats-Msg-Id"] == message.headers["ce-id"] == str(meta.id)
    assert message.headers["ce-specversion"] == "1.0"
    assert message.headers["ce-type"] == cls.spec.type
    assert message.headers["ce-dataclassification"] == cls.spec.classification.value
    decoded, decoded_meta = decode(cls, message.body, message.headers)
    assert decoded == event
    assert decoded_meta == meta
    assert decoded_meta.version == cls.spec.version and decoded_meta.producer == cls.spec.producer


def test_a_consumer_ignores_fields_added_in_a_later_revision() -> None:
    cls = ALL_EVENTS[0]
    event = example_event(cls)
    message = encode(event, EventMeta.for_event(event))
    body = message.body[:-1] + b',"added_later":42}'
    decoded, _ = decode(cls, body, message.headers)
    assert decoded == event


def test_a_message_without_cloudevents_headers_is_rejected_naming_the_header() -> None:
    cls = ALL_EVENTS[0]
    event = example_event(cls)
    message = encode(event, EventMeta.for_event(event))
    headers = {k: v for k, v in message.headers.items() if k != "ce-time"}
    with pytest.raises(WireFormatError) as caught:
        decode(cls, message.body, headers)
    assert caught.value.field == "ce-time"


def test_a_malformed_body_is_rejected_naming_the_field() -> None:
    cls = ALL_EVENTS[0]
    event = example_event(cls)
    message = encode(event, EventMeta.for_event(event))
    with pytest.raises(WireFormatError) as caught:
        decode(cls, b'{"concern_id": "not-a-uuid"}', message.headers)
    assert caught.value.field.startswith("body.")
