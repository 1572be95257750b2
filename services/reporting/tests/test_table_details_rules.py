"""How a count table's details (a concern's channel, a kind of help) join its cube: groups add up
to the total, channels to their group, and what the details do not account for is "no detail"."""

from __future__ import annotations

from qn_reporting.city import City, Quarter
from qn_reporting.tables.details import CHANNELS
from qn_reporting.tables.domain import DETAIL, StoredCell, cube_of, detail_codes

CITY = City("Demo", (Quarter("ziebigk", "Ziebigk", "dessau"), Quarter("rosslau", "Roßlau", "rosslau")))


def test_channels_add_up_to_their_group_and_the_rest_of_the_total_is_no_detail() -> None:
    totals = [StoredCell("2026-02", "ziebigk", "*", 10), StoredCell("2026-02", "ziebigk", "alter", 4)]
    # three concerns were counted before the installation kept their channel
    channels = [
        StoredCell("2026-02", "ziebigk", "walk_in", 4),
        StoredCell("2026-02", "ziebigk", "phone", 2),
        StoredCell("2026-02", "ziebigk", "discharge_notice", 1),
    ]
    cube = cube_of(totals, 2026, CITY, channels, CHANNELS)

    def at(facet: str) -> int:
        return cube.value(("2026-Q1", "@city", facet))

    assert at(DETAIL + "@first_contact") == 6 and at(DETAIL + "@referred") == 1 and at(DETAIL) == 3
    assert at(DETAIL + "@first_contact") + at(DETAIL + "@referred") + at(DETAIL) == at("*") == 10
    assert at("alter") == 4, "the topics stay beside the channels"
    facets = cube.dimensions[2]
    assert detail_codes(facets) == ("@first_contact", "walk_in", "phone", "@referred", "discharge_notice", "")
    exact = [r for r in cube.relations() if r.parent == ("2026-Q1", "@city", "*") and r.exact]
    assert any(len(r.members) == 3 for r in exact), "all concerns = first contacts + referrals + no detail"


def test_details_that_exceed_their_total_are_dropped_rather_than_published_inconsistent() -> None:
    totals = [StoredCell("2026-05", "rosslau", "*", 2)]
    channels = [StoredCell("2026-05", "rosslau", "phone", 5)]
    cube = cube_of(totals, 2026, CITY, channels, CHANNELS)
    assert cube.value(("2026-05", "rosslau", DETAIL + "phone")) == 0
    assert cube.value(("2026-05", "rosslau", DETAIL)) == 2
