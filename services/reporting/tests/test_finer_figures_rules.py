"""The rules of the finer figures and of the optional protection methods, as plain functions: which
cells an event adds to, the early-warning z-scores, rounding to 5 and the cell-key noise, and the
cubes the figures are protected as -- attacked like the count tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import pytest

from qn_contracts import EventMeta
from qn_contracts.intake import ReferralStatusChanged, SignalRaised
from qn_contracts.matching import AssignmentCompleted
from qn_contracts.scheduling import BookingCancelled, OccurrenceAttended
from qn_reporting.breakdowns.cubes import ALL, SITES, Shape, cube_of
from qn_reporting.breakdowns.domain import BreakdownKey, breakdown, week_of, weeks_in, z_scores
from qn_reporting.breakdowns.store import StoredBreakdown
from qn_reporting.city import City, Quarter
from qn_reporting.disclosure import protect
from qn_reporting.disclosure.perturb import Method, Publication, cell_key, noise_for, rounded
from qn_testkit.interval_attack import attack

pytestmark = pytest.mark.unit

AT = datetime.fromisoformat("2026-03-02T10:00:00+01:00")


def meta_of(event, at: datetime = AT) -> EventMeta:  # type: ignore[no-untyped-def]
    return EventMeta.for_event(event, time=at)


def referral(to_status: str, reason: str | None, topics: list[str]) -> ReferralStatusChanged:
    return ReferralStatusChanged(
        referral_id=uuid.uuid4(),
        concern_id=uuid.uuid4(),
        quarter_id="ziebigk",
        target_id="awo-dessau",
        topics=topics,
        from_status="requested",
        to_status=to_status,
        reason=reason,
    )


def test_a_declined_referral_is_unmet_need_by_reason_per_topic_and_an_accepted_one_is_not() -> None:
    declined = referral("rejected", "no_capacity", ["alter", "wohnen"])
    target = declined.target_id
    assert set(breakdown(declined, meta_of(declined))) == {
        *(BreakdownKey("unmet_need", "2026-03", "ziebigk", topic, "no_capacity") for topic in ("*", "alter", "wohnen")),
        BreakdownKey("referral_outcome", "2026-03", target, "*", "rejected"),
    }
    failed = referral("failed", None, ["alter"])
    assert BreakdownKey("unmet_need", "2026-03", "ziebigk", "*", "") in breakdown(failed, meta_of(failed))
    # an accepted referral is an outcome for its recipient, and no unmet need
    accepted = referral("accepted", None, ["alter"])
    assert set(breakdown(accepted, meta_of(accepted))) == {
        BreakdownKey("referral_outcome", "2026-03", target, "*", "accepted")
    }
    # a referral on hold has not come to anything yet
    on_hold = referral("on_hold", None, ["alter"])
    assert breakdown(on_hold, meta_of(on_hold)) == {}


def test_signals_count_per_iso_week_in_berlin_and_drop_in_figures_per_week_of_the_occurrence() -> None:
    # Sunday 23:30 in Berlin is still week 9, though it is Sunday 22:30 UTC
    assert week_of(datetime.fromisoformat("2026-03-01T22:30:00+00:00")) == "2026-W09"
    assert week_of(datetime.fromisoformat("2026-03-01T23:30:00+00:00")) == "2026-W10"
    assert weeks_in(2026) == 53 and weeks_in(2025) == 52
    signal = SignalRaised(signal_id=uuid.uuid4(), quarter_id="rosslau", signal_type="loneliness", raised_by="staff")
    assert breakdown(signal, meta_of(signal)) == {
        BreakdownKey("signal_week", "2026-W10", "rosslau", "*", "loneliness"): (1, 0),
        # and by month, for the signals' tables by kind
        BreakdownKey("signal_type", "2026-03", "rosslau", "*", "loneliness"): (1, 0),
    }
    offer = uuid.uuid4()
    held = OccurrenceAttended(
        offer_id=offer,
        site_id="franztreff",
        quarter_id="innenstadt-sued",
        occurrence_start=datetime.fromisoformat("2026-01-07T11:00:00+01:00"),
        attendance=14,
        topics=["alter"],
    )
    # counted in the occurrence's week (and month, in its site's quarter), whenever it was recorded
    assert breakdown(held, meta_of(held)) == {
        BreakdownKey("occurrence_held", "2026-W02", "franztreff", "*", str(offer)): (1, 1400),
        BreakdownKey("attendance_quarter", "2026-01", "innenstadt-sued", "*", ""): (1, 1400),
    }
    whole = BookingCancelled(booking_id=uuid.uuid4(), site_id="franztreff", room_id="kueche")
    assert breakdown(whole, meta_of(whole)) == {}, "a whole booking called off is no occurrence"
    hours = AssignmentCompleted(
        match_id=uuid.uuid4(),
        help_request_id=uuid.uuid4(),
        volunteer_ref=uuid.uuid4(),
        quarter_id="ziebigk",
        help_kind="shopping",
        hours=Decimal("1.5"),
    )
    assert breakdown(hours, meta_of(hours)) == {
        BreakdownKey("help_hours", "2026-03", "ziebigk", "*", "shopping"): (1, 150)
    }


def test_a_week_far_above_the_quarters_own_mean_scores_high_and_a_quiet_quarter_does_not_alarm() -> None:
    weeks = [f"2026-W{w:02d}" for w in range(1, 12)]
    spike = z_scores([3] * 10 + [12], weeks)
    assert spike[-1].z > 3 and all(s.z < 0 for s in spike[:-1])
    # one signal in an otherwise empty quarter: the deviation floor keeps it below 2
    quiet = z_scores([0] * 10 + [1], weeks)
    assert max(s.z for s in quiet) < 2


def test_rounding_goes_to_the_nearest_five_and_never_shows_a_small_count() -> None:
    assert [rounded(v) for v in (0, 3, 4, 7, 8, 12, 13, 1002)] == [0, 5, 5, 5, 10, 10, 15, 1000]
    publication = Publication(Method.ROUNDING, 3)
    assert publication.value(None, ("x",)) is None and publication.value(0, ("x",)) == 0


def test_the_cell_key_noise_is_the_same_for_the_same_cell_and_hides_nothing_but_small_changes() -> None:
    publication = Publication(Method.CELL_KEY, 3, b"a secret of the office")
    cell = ("concern.recorded", "2026-Q1", "ziebigk", "*")
    assert publication.value(40, cell) == publication.value(40, cell) == publication.value(40, list(cell))
    noises = [publication.value(40, (*cell[:2], f"q{i}", "*")) - 40 for i in range(2000)]  # type: ignore[operator]
    assert set(noises) == {-2, -1, 0, 1, 2}
    assert 0.4 < noises.count(0) / len(noises) < 0.6, "the distribution NOISE promises"
    assert abs(sum(noises)) / len(noises) < 0.1, "no bias: sums stay right on average"
    assert all(publication.value(3, (f"c{i}",)) >= 3 for i in range(200)), "never pushed below the minimum"
    other = Publication(Method.CELL_KEY, 3, b"another secret entirely")
    assert [cell_key(b"a secret of the office", (f"{i}",)) for i in range(20)] != [
        cell_key(other.secret, (f"{i}",)) for i in range(20)
    ]
    assert noise_for(0.0) == -2 and noise_for(0.999) == 2


CITY = City(
    "Test",
    (Quarter("nord", "Nord", "dessau"), Quarter("sued", "Süd", "dessau"), Quarter("rosslau", "Roßlau", "rosslau")),
)


def test_the_unmet_need_cube_hides_a_single_declined_referral_against_every_sum() -> None:
    stored = [
        StoredBreakdown("2026-01", "nord", "*", "no_capacity", 6, 0),
        StoredBreakdown("2026-02", "nord", "*", "not_eligible", 5, 0),
        StoredBreakdown("2026-02", "sued", "*", "no_capacity", 4, 0),
        StoredBreakdown("2026-04", "sued", "*", "not_eligible", 7, 0),
        StoredBreakdown("2026-05", "rosslau", "*", "out_of_area", 1, 0),
        StoredBreakdown("2026-05", "rosslau", "*", "no_capacity", 9, 0),
    ]
    cube = cube_of(stored, 2026, CITY, Shape("quartal", "quarters", details=True), lambda c: c.n)
    assert cube.value(("2026", "@city", "*", ALL)) == 32
    protected = protect(cube, minimum=3)
    published = {key: protected.shown(key) for key in cube.cells()}
    trees = [(dict(d.children), d.additive) for d in cube.dimensions]
    for key, (low, high) in attack(published, trees).items():
        value = cube.value(key)
        if 0 < value < 3:
            assert high >= 3 - 1e-6 and low <= value - 1 + 1e-6, f"{key} pinned to [{low}, {high}]"
    assert published[("2026", "@city", "*", ALL)] == 32, "the year's city total is published"


def test_the_drop_in_cube_adds_offers_up_to_their_site_and_all_sites() -> None:
    stored = [
        StoredBreakdown("2026-W02", "franztreff", "*", "mittagstisch", 1, 1400),
        StoredBreakdown("2026-W03", "franztreff", "*", "mittagstisch", 1, 1100),
        StoredBreakdown("2026-W03", "rosseltreff", "*", "cafe", 1, 800),
    ]
    cube = cube_of(stored, 2026, CITY, Shape("week", "sites", details=False), lambda c: c.hundredths // 100)
    assert cube.value(("2026", "franztreff", "*", ALL)) == 25
    assert cube.value(("2026-W03", SITES, "*", ALL)) == 19
    assert cube.value(("2026", "franztreff/mittagstisch", "*", ALL)) == 25
