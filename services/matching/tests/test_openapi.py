"""Matching's OpenAPI document says which routes can answer 409: every one that can raise a
conflict (a proposal no longer open, a status that cannot follow, a login already linked, hours
entries on a settled task or decided already)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.integration

CONFLICTS = {
    ("post", "/volunteers"),
    ("post", "/volunteers/{volunteer_id}/status"),
    ("post", "/help-requests/{help_request_id}/assign"),
    ("post", "/help-requests/{help_request_id}/offers"),
    ("post", "/matches/{match_id}/accept"),
    ("post", "/matches/{match_id}/decline"),
    ("post", "/matches/{match_id}/complete"),
    ("post", "/matches/{match_id}/hours"),
    ("post", "/hours/{entry_id}/approve"),
    ("post", "/hours/{entry_id}/return"),
    ("put", "/matches/{match_id}/appointment"),
}


def test_exactly_the_routes_that_can_conflict_document_409_as_a_problem(matching) -> None:
    paths = matching.client.get("/openapi.json").json()["paths"]
    documented = {
        (method, path)
        for path, operations in paths.items()
        for method, op in operations.items()
        if "409" in op["responses"]
    }
    assert documented == CONFLICTS
    for method, path in CONFLICTS:
        assert list(paths[path][method]["responses"]["409"]["content"]) == ["application/problem+json"]


@pytest.mark.parametrize(("text", "read"), [("1.75", True), ("24", True), (".5", True), ("", False), ("1,5", False)])
def test_the_hours_text_the_document_allows_is_the_text_the_service_reads(matching, text: str, read: bool) -> None:
    """Hours may be a number or text; the text's pattern is documented (it was any string, "" too)."""
    hours = matching.client.get("/openapi.json").json()["components"]["schemas"]["CompleteIn"]["properties"]["hours"]
    [pattern] = [branch["pattern"] for branch in hours["anyOf"] if branch["type"] == "string"]
    assert bool(re.fullmatch(pattern, text)) is read
