"""Generated documents are never edited by hand: the committed files must be exactly what the code
generates (`make contracts` rewrites them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qn_contracts.__main__ import render

pytestmark = pytest.mark.unit

CONTRACTS = Path(__file__).resolve().parents[1]


def test_committed_schemas_and_asyncapi_match_the_code() -> None:
    wanted = render()
    differing = [
        path
        for path, text in wanted.items()
        if not (CONTRACTS / path).is_file() or (CONTRACTS / path).read_text() != text
    ]
    stale = [p.name for p in (CONTRACTS / "schemas").glob("*.json") if f"schemas/{p.name}" not in wanted]
    assert not differing and not stale, f"run `make contracts`: differing {differing}, not generated {stale}"


def test_asyncapi_document_is_version_3_and_lists_every_subject() -> None:
    document = json.loads((CONTRACTS / "asyncapi.json").read_text())
    assert document["asyncapi"] == "3.0.0"
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert "qn.v1.intake.concern.recorded" in addresses
    assert "qn.v1.matching.match.proposed" in addresses
    for operation in document["operations"].values():
        assert operation["action"] == "send"
        assert operation["channel"]["$ref"].removeprefix("#/channels/") in document["channels"]


def test_an_addressed_channel_names_its_organisation_as_a_parameter_read_from_the_body() -> None:
    document = json.loads((CONTRACTS / "asyncapi.json").read_text())
    channel = document["channels"]["intake_referral_requested_v1"]
    assert channel["address"] == "qn.v1.intake.referral.requested.{target_id}"
    assert channel["parameters"]["target_id"]["location"] == "$message.payload#/target_id"
