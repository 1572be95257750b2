"""The fast paths of ranking give the plain rules' answers: `domain.availability` says truly how
long `next_available` stays the same, and `Shortlists` picks whom `domain.choose_next` picks,
request after request, as proposals add load and time passes (across the clock changes, too)."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from qn_contracts.vocabulary import VolunteerStatus, Weekday
from qn_matching.matches.domain import Candidate, Need, availability, choose_next, next_available, proposed
from qn_matching.matches.shortlist import Shortlists
from qn_matching.volunteers.domain import Slot

pytestmark = pytest.mark.unit

BERLIN = ZoneInfo("Europe/Berlin")
DAYS = list(Weekday)
# Friday before the clock goes back (25 October 2026), Friday before it goes forward (29 March),
# and an ordinary Monday
STARTS = [
    datetime(2026, 10, 23, 20, 0, tzinfo=UTC),
    datetime(2026, 3, 27, 21, 30, tzinfo=UTC),
    datetime(2026, 11, 23, 7, 0, tzinfo=UTC),
]


def random_slot(rnd: random.Random, *, backwards: float = 0.0) -> Slot:
    starts = rnd.randrange(0, 24 * 4 - 1)
    ends = min(starts + rnd.randint(1, 48), 24 * 4 - 1)
    if rnd.random() < backwards:  # ends before it starts (registration refuses it; the rules cope)
        starts, ends = ends, starts

    def at(quarter: int) -> time:
        return time(quarter // 4, (quarter % 4) * 15)

    return Slot(rnd.choice(DAYS), at(starts), at(ends))


def random_slots(rnd: random.Random, backwards: float = 0.0) -> tuple[Slot, ...]:
    return tuple(random_slot(rnd, backwards=backwards) for _ in range(rnd.randint(1, 3)))


def wall(moment: datetime) -> datetime:
    """A local time as `next_available` compares them: the wall clock, without the offset."""
    return moment.replace(tzinfo=None)


@pytest.mark.parametrize("seed", range(4))
def test_availability_holds_as_long_as_it_says(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(400):
        slots = random_slots(rnd, backwards=0.1)
        now = rnd.choice(STARTS) + timedelta(minutes=rnd.randint(0, 3 * 24 * 60))
        found = availability(slots, now, BERLIN)
        assert found.moment == next_available(slots, now, BERLIN)
        assert found.since == now.astimezone(BERLIN)
        if found.until is None:
            continue
        assert found.since < found.until
        assert found.running == (wall(found.moment) == wall(found.since))  # type: ignore[arg-type]
        span = wall(found.until) - wall(found.since)
        for step in [timedelta(0), span - timedelta(seconds=1), *(rnd.random() * span for _ in range(5))]:
            later = datetime.combine(
                (wall(found.since) + step).date(), (wall(found.since) + step).time(), tzinfo=BERLIN
            ).astimezone(UTC)
            if not wall(found.since) <= wall(later.astimezone(BERLIN)) < wall(found.until):
                continue  # a wall time the clock change skips
            expected = wall(later.astimezone(BERLIN)) if found.running else wall(found.moment)  # type: ignore[arg-type]
            assert wall(next_available(slots, later, BERLIN)) == expected  # type: ignore[arg-type]


def walked(slots: tuple[Slot, ...], now: datetime) -> datetime | None:
    """`next_available` the long way: day after day from today, the first moment inside a slot."""
    local_now = now.astimezone(BERLIN)
    for offset in range(8):
        day = local_now.date() + timedelta(days=offset)
        found = [
            max(datetime.combine(day, slot.starts, tzinfo=BERLIN), local_now)
            for slot in slots
            if DAYS.index(slot.weekday) == day.weekday()
            and wall(datetime.combine(day, slot.ends, tzinfo=BERLIN)) > wall(local_now)
        ]
        if found:
            return min(found, key=wall)
    return None


@pytest.mark.parametrize("seed", range(4))
def test_next_available_is_the_first_moment_walking_the_days_finds(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(500):
        slots = random_slots(rnd, backwards=0.1)
        # now and then exactly on a slot's start or end, where today's window begins or is over
        now = rnd.choice(STARTS) + timedelta(minutes=15 * rnd.randint(0, 4 * 24 * 8))
        now += timedelta(seconds=rnd.choice([0, 0, 1, 59]))
        found, expected = next_available(slots, now, BERLIN), walked(slots, now)
        assert found is not None and expected is not None
        assert wall(found) == wall(expected), (slots, now)


def test_a_running_slot_holds_until_the_last_running_slot_ends() -> None:
    monday_9 = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
    slots = (
        Slot(Weekday.MONDAY, time(8), time(10)),
        Slot(Weekday.MONDAY, time(8, 30), time(11)),
        Slot(Weekday.MONDAY, time(12), time(13)),
    )
    found = availability(slots, monday_9, BERLIN)
    assert found.running and found.moment == monday_9
    assert found.until == datetime(2026, 11, 23, 11, 0, tzinfo=BERLIN)
    waiting = availability(slots, monday_9 + timedelta(hours=2, minutes=30), BERLIN)
    assert not waiting.running
    assert waiting.moment == waiting.until == datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN)


def test_slots_that_end_before_they_start_get_no_promise() -> None:
    slots = (Slot(Weekday.MONDAY, time(12), time(10)),)
    found = availability(slots, datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN), BERLIN)
    assert found.moment is not None and found.until is None


def test_a_proposal_raises_only_the_load() -> None:
    candidate = Candidate(
        volunteer_id=uuid.uuid4(),
        status=VolunteerStatus.ACTIVE,
        quarter_id="innenstadt-sued",
        skills=frozenset({"shopping"}),
        languages=frozenset({"de"}),
        slots=(Slot(Weekday.TUESDAY, time(10), time(12)),),
        open_matches=2,
        registered_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert proposed(candidate) == replace(candidate, open_matches=3)


def random_pool(rnd: random.Random, size: int) -> list[Candidate]:
    shared = [random_slots(rnd) for _ in range(4)]  # some volunteers give the very same slots
    instants = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=rnd.randint(0, 3)) for _ in range(3)]
    return [
        Candidate(
            volunteer_id=uuid.UUID(int=rnd.getrandbits(128)),
            status=rnd.choice([VolunteerStatus.ACTIVE] * 5 + [VolunteerStatus.PAUSED]),
            quarter_id=rnd.choice(["innenstadt-sued"] * 5 + ["rosslau"]),
            skills=frozenset(rnd.sample(["shopping", "walk", "escort"], rnd.randint(1, 3))),
            languages=frozenset(rnd.sample(["de", "ru", "tr", "ar"], rnd.randint(1, 2))),
            slots=rnd.choice(shared) if rnd.random() < 0.5 else random_slots(rnd, backwards=0.05),
            open_matches=rnd.choice([0, 0, 0, 1, 2]),
            registered_at=rnd.choice(instants),
            # reach, vetting and caps: some from Roßlau reach Innenstadt Süd, some are vetted, and
            # some stop being eligible within the batch as their cap is reached
            reaches=rnd.choice([None, None, frozenset({"innenstadt-sued", "rosslau"})]),
            vetted_until=rnd.choice([None, date(2026, 1, 1), date(2031, 1, 1)]),
            max_open=rnd.choice([None, None, 1, 2, 3]),
        )
        for _ in range(size)
    ]


def random_needs(rnd: random.Random) -> list[Need]:
    return [
        Need(
            quarter_id="innenstadt-sued",
            help_kind=rnd.choice(["shopping", "walk", "escort"]),
            skills=frozenset(rnd.sample(["shopping", "walk"], rnd.randint(0, 1))),
            languages=tuple(rnd.sample(["de", "ru", "tr", "ar"], rnd.randint(0, 2))),
            vetting_needed_on=rnd.choice([None, None, date(2026, 11, 23)]),
        )
        for _ in range(4)
    ]


@pytest.mark.parametrize("seed", range(12))
def test_shortlists_choose_whom_the_plain_rules_choose(seed: int) -> None:
    rnd = random.Random(seed)
    pool = random_pool(rnd, rnd.choice([1, 5, 30, 120]))
    needs = random_needs(rnd)
    plain = {c.volunteer_id: c for c in pool}
    fast = Shortlists(pool, BERLIN)
    now = rnd.choice(STARTS)
    batch = random.Random(seed + 1000)  # whether the caller says more of a kind follow: either way
    for _ in range(300):
        # seconds (within a slot), hours, a day; now and then back (a clock set back)
        step = rnd.choice([timedelta(seconds=rnd.randint(0, 90)), timedelta(minutes=rnd.randint(1, 240))])
        if rnd.random() < 0.05:
            step = timedelta(days=1)
        if rnd.random() < 0.03:
            step = -timedelta(minutes=rnd.randint(1, 120))
        now += step
        need = rnd.choice(needs)
        asked = [c.volunteer_id for c in pool if rnd.random() < 0.1] if rnd.random() < 0.1 else []
        expected = choose_next(plain.values(), need, now, BERLIN, asked=asked)
        assert fast.choose_next(need, now, asked=asked, more_of_its_kind=batch.random() < 0.5) == expected
        if expected is not None and rnd.random() < 0.8:
            chosen = expected.candidate.volunteer_id
            plain[chosen] = proposed(plain[chosen])
            fast.proposed(chosen)
    assert list(fast.candidates()) == list(plain.values())


def test_shortlists_across_the_repeated_hour_in_autumn() -> None:
    # 02:00-03:00 happens twice on 25 October 2026: the wall clock goes back by an hour
    rnd = random.Random(99)
    pool = random_pool(rnd, 60)
    needs = random_needs(rnd)
    plain = {c.volunteer_id: c for c in pool}
    fast = Shortlists(pool, BERLIN)
    now = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)  # 01:30 local
    while now < datetime(2026, 10, 25, 3, 0, tzinfo=UTC):
        now += timedelta(minutes=rnd.randint(1, 7))
        need = rnd.choice(needs)
        expected = choose_next(plain.values(), need, now, BERLIN)
        assert fast.choose_next(need, now) == expected
        if expected is not None:
            plain[expected.candidate.volunteer_id] = proposed(expected.candidate)
            fast.proposed(expected.candidate.volunteer_id)


def test_a_slot_that_begins_this_very_moment_counts_as_running() -> None:
    monday_9 = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)

    def volunteer(starts: time, registered: int) -> Candidate:
        return Candidate(
            volunteer_id=uuid.uuid4(),
            status=VolunteerStatus.ACTIVE,
            quarter_id="innenstadt-sued",
            skills=frozenset({"shopping"}),
            languages=frozenset({"de"}),
            slots=(Slot(Weekday.MONDAY, starts, time(17)),),
            open_matches=0,
            registered_at=datetime(2026, 1, registered, tzinfo=UTC),
        )

    since_eight, from_nine = volunteer(time(8), registered=2), volunteer(time(9), registered=1)
    need = Need("innenstadt-sued", "shopping", frozenset())
    fast = Shortlists([since_eight, from_nine], BERLIN)
    assert fast.choose_next(need, monday_9 - timedelta(minutes=30)) == choose_next(
        [since_eight, from_nine], need, monday_9 - timedelta(minutes=30), BERLIN
    )
    # at 09:00 both are available now: who registered first
    chosen = fast.choose_next(need, monday_9)
    assert chosen == choose_next([since_eight, from_nine], need, monday_9, BERLIN)
    assert chosen is not None and chosen.candidate == from_nine
