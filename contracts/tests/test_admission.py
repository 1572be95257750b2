"""What a consumer may believe of a message: `admit` checks that its parts agree with the
contract before the body is read."""

from __future__ import annotations

import uuid

import pytest

from qn_contracts import WireFormatError, admit, decode_body, encode
from qn_contracts.event import EventMeta
from qn_contracts.intake import ConcernRecorded, ReferralRequested


def concern_message() -> tuple[str, dict[str, str], bytes]:
    event = ConcernRecorded(
        concern_id=uuid.uuid4(), quarter_id="innenstadt-sued", channel="walk_in", topics=["einsamkeit"], urgency="soon"
    )
    message = encode(event, EventMeta.for_event(event))
    return message.subject, dict(message.headers), message.body


def test_a_message_as_its_producer_sends_it_is_admitted_and_decoded() -> None:
    subject, headers, body = concern_message()
    event_class, meta = admit(subject, headers, body, stream="QN_INTAKE", max_bytes=65536)
    assert event_class is ConcernRecorded and str(meta.id) == headers["ce-id"]
    assert decode_body(event_class, body).topics == ["einsamkeit"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ce-source": "/attacker"}, "ce-source"),
        ({"ce-source": "/quartiersnetz/matching"}, "ce-source"),
        ({"ce-type": "qn.intake.referral.requested.v1"}, "ce-type"),
        ({"ce-type": "qn.intake.concern.recorded.v2"}, "ce-type"),
        ({"ce-type": "qn.intake.concern"}, "ce-type"),
        ({"ce-dataschema": "urn:quartiersnetz:schema:qn.v1.intake.signal.raised"}, "ce-dataschema"),
        ({"ce-dataclassification": "public"}, "ce-dataclassification"),
        ({"ce-specversion": "0.3"}, "ce-specversion"),
    ],
)
def test_a_message_whose_headers_disagree_with_the_contract_is_refused_naming_the_part(change, field) -> None:
    subject, headers, body = concern_message()
    with pytest.raises(WireFormatError) as refused:
        admit(subject, {**headers, **change}, body, stream="QN_INTAKE")
    assert refused.value.field == field


def test_a_message_on_another_subject_or_from_another_stream_is_refused() -> None:
    subject, headers, body = concern_message()
    with pytest.raises(WireFormatError, match="is published on"):
        admit("qn.v1.intake.referral.requested", headers, body)
    with pytest.raises(WireFormatError, match="belongs in QN_INTAKE"):
        admit(subject, headers, body, stream="QN_MATCHING")


def test_a_body_over_the_limit_is_refused_before_it_is_parsed() -> None:
    subject, headers, _ = concern_message()
    with pytest.raises(WireFormatError, match="more than the 1024"):
        admit(subject, headers, b"{" + b" " * 2000 + b"}", max_bytes=1024)


def test_an_unknown_type_with_consistent_parts_is_admitted_without_a_class() -> None:
    _, headers, body = concern_message()
    newer = {
        **headers,
        "ce-type": "qn.intake.concern.escalated.v1",
        "ce-dataschema": "urn:quartiersnetz:schema:qn.v1.intake.concern.escalated",
    }
    event_class, meta = admit("qn.v1.intake.concern.escalated", newer, body, stream="QN_INTAKE")
    assert event_class is None and meta.type == "qn.intake.concern.escalated.v1"
    with pytest.raises(WireFormatError, match="ce-source"):
        admit("qn.v1.intake.concern.escalated", {**newer, "ce-source": "/quartiersnetz/matching"}, body)


def test_a_body_that_is_not_json_or_not_valid_names_the_field() -> None:
    with pytest.raises(WireFormatError) as not_json:
        decode_body(ConcernRecorded, b"\x00 not json")
    assert not_json.value.field == "body"
    with pytest.raises(WireFormatError) as invalid:
        decode_body(ConcernRecorded, b'{"concern_id": "not a uuid"}')
    assert invalid.value.field.startswith("body.")


def referral_message(target: str = "awo-dessau") -> tuple[str, dict[str, str], bytes]:
    event = ReferralRequested.model_validate(
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
    message = encode(event, EventMeta.for_event(event))
    return message.subject, dict(message.headers), message.body


def test_an_addressed_event_travels_on_its_addressees_subject_and_is_admitted_there() -> None:
    subject, headers, body = referral_message("awo-dessau")
    assert subject == "qn.v1.intake.referral.requested.awo-dessau"
    event_class, _ = admit(subject, headers, body, stream="QN_INTAKE")
    assert event_class is ReferralRequested
    assert decode_body(ReferralRequested, body, subject).target_id == "awo-dessau"


def test_an_addressed_event_on_its_channel_alone_or_with_a_token_no_id_can_be_is_refused() -> None:
    _, headers, body = referral_message()
    for subject in (
        "qn.v1.intake.referral.requested",
        "qn.v1.intake.referral.requested.a.b",
        "qn.v1.intake.referral.requested.A",
    ):
        with pytest.raises(WireFormatError, match="is published on"):
            admit(subject, headers, body, stream="QN_INTAKE")


def test_an_addressed_event_whose_body_names_another_organisation_is_refused_naming_the_field() -> None:
    _, headers, body = referral_message("awo-dessau")
    subject = "qn.v1.intake.referral.requested.caritas-dessau"
    event_class, _ = admit(subject, headers, body, stream="QN_INTAKE")
    assert event_class is ReferralRequested
    with pytest.raises(WireFormatError) as misaddressed:
        decode_body(ReferralRequested, body, subject)
    assert misaddressed.value.field == "body.target_id"


def test_an_unknown_addressed_type_is_admitted_on_its_channel_with_an_address() -> None:
    _, headers, body = concern_message()
    newer = {
        **headers,
        "ce-type": "qn.intake.referral.reminded.v1",
        "ce-dataschema": "urn:quartiersnetz:schema:qn.v1.intake.referral.reminded",
    }
    event_class, _ = admit("qn.v1.intake.referral.reminded.awo-dessau", newer, body, stream="QN_INTAKE")
    assert event_class is None
