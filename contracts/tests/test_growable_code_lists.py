"""Decision 0009: a code list on an event may grow within a version; consumers keep working."""

from __future__ import annotations

import typing
import uuid
from enum import StrEnum

import pytest
from pydantic import ValidationError

from qn_contracts import BY_TYPE
from qn_contracts.intake import ConcernRecorded, ReferralStatusChanged
from qn_contracts.vocabulary import AgeBand, Channel, ReferralStatus, is_known


def concern(**changes: object) -> dict[str, object]:
    return {
        "concern_id": str(uuid.uuid4()),
        "quarter_id": "innenstadt-sued",
        "channel": "walk_in",
        "topics": ["alter"],
        "urgency": "soon",
        **changes,
    }


def test_a_known_code_arrives_as_the_member_of_its_list() -> None:
    event = ConcernRecorded.model_validate(concern(channel="phone"))
    assert event.channel is Channel.PHONE
    assert is_known(Channel, event.channel)


def test_a_code_a_newer_producer_added_is_kept_as_its_code_and_written_back_unchanged() -> None:
    event = ConcernRecorded.model_validate(concern(channel="messenger", urgency="within_the_hour"))
    assert event.channel == "messenger" and not is_known(Channel, event.channel)
    assert event.urgency == "within_the_hour"
    assert '"channel":"messenger"' in event.model_dump_json()


def test_a_value_that_is_no_code_at_all_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        ReferralStatusChanged.model_validate(
            {
                "referral_id": str(uuid.uuid4()),
                "concern_id": str(uuid.uuid4()),
                "target_id": "awo-dessau",
                "from_status": "Requested; DROP",
                "to_status": ReferralStatus.ACCEPTED.value,
            }
        )
    assert ("from_status",) in [error["loc"] for error in refused.value.errors()]


def test_the_closed_lists_stay_closed() -> None:
    with pytest.raises(ValidationError) as refused:
        ConcernRecorded.model_validate(concern(age_band="18_99"))
    assert refused.value.errors()[0]["loc"][0] == "age_band"
    assert AgeBand("80_plus") is AgeBand.AGE_80_PLUS


def _enums_in(annotation: object) -> list[type[StrEnum]]:
    found = []
    for part in typing.get_args(annotation) or (annotation,):
        if isinstance(part, type) and issubclass(part, StrEnum):
            found.append(part)
        elif typing.get_args(part):
            found.extend(_enums_in(part))
    return found


def test_no_event_schema_closes_a_growable_list() -> None:
    """Every event field with a code list either names it as x-extensible-enum or is one of the two
    closed lists, so a consumer validating against an old copy of a schema never rejects a newer code."""
    closed = {"AgeBand", "Weekday"}
    for event_type in BY_TYPE.values():
        schema = event_type.model_json_schema()
        for name, field in event_type.model_fields.items():
            enums = {e.__name__ for e in _enums_in(field.annotation)}
            assert enums <= closed, f"{event_type.__name__}.{name} uses a closed list {enums}"
            text = str(schema["properties"][name])
            assert "'enum'" not in text, f"{event_type.__name__}.{name} has a closed enum in its schema: {text}"
    assert "x-extensible-enum" in str(ConcernRecorded.model_json_schema()["properties"]["channel"])
