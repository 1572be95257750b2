"""Scheduling's OpenAPI document says which routes can answer 409: every one that can raise a
conflict (a room taken, a room still booked, a booking cancelled already, a series colliding,
a carrier's quota, a request decided already, a person registered already)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

CONFLICTS = {
    ("put", "/sites/{site_id}"),
    ("post", "/sites/{site_id}/rooms/{room_id}/bookings"),
    ("post", "/bookings/{booking_id}/cancel"),
    ("post", "/sites/{site_id}/offers"),
    ("patch", "/offers/{offer_id}"),
    ("post", "/occurrences/{occurrence_id}/cancel"),
    ("post", "/occurrences/{occurrence_id}/move"),
    ("post", "/occurrences/{occurrence_id}/approve"),
    ("post", "/occurrences/{occurrence_id}/attendance"),
    ("post", "/occurrences/{occurrence_id}/confirm"),
    ("post", "/sites/{site_id}/rooms/{room_id}/requests"),
    ("post", "/requests/{request_id}/approve"),
    ("post", "/requests/{request_id}/reject"),
    ("post", "/requests/{request_id}/withdraw"),
    ("post", "/occurrences/{occurrence_id}/registrations"),
    ("post", "/registrations/{registration_id}/cancel"),
}


def test_exactly_the_routes_that_can_conflict_document_409_as_a_problem(scheduling) -> None:
    paths = scheduling.client.get("/openapi.json").json()["paths"]
    documented = {
        (method, path)
        for path, operations in paths.items()
        for method, op in operations.items()
        if "409" in op["responses"]
    }
    assert documented == CONFLICTS
    for method, path in CONFLICTS:
        assert list(paths[path][method]["responses"]["409"]["content"]) == ["application/problem+json"]
