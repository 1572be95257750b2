"""Who is asked first: eligibility and ranking as plain functions."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from qn_contracts.vocabulary import VolunteerStatus, Weekday
from qn_matching.matches.domain import (
    Candidate,
    Need,
    choose_next,
    ineligibility,
    minutes_to_match,
    next_available,
    proposed,
    rank,
)
from qn_matching.volunteers.domain import Slot

pytestmark = pytest.mark.unit

BERLIN = ZoneInfo("Europe/Berlin")
# Monday, 23 November 2026, 09:00 in Dessau
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN).astimezone(UTC)
SHOPPING_IN_SUED = Need(quarter_id="innenstadt-sued", help_kind="shopping", skills=frozenset({"shopping"}))


def slot(day: str, starts: str, ends: str) -> Slot:
    return Slot(Weekday(day), time.fromisoformat(starts), time.fromisoformat(ends))


def volunteer(**overrides: object) -> Candidate:
    base = Candidate(
        volunteer_id=uuid.uuid4(),
        status=VolunteerStatus.ACTIVE,
        quarter_id="innenstadt-sued",
        skills=frozenset({"shopping", "walk"}),
        languages=frozenset({"de"}),
        slots=(slot("tu", "10:00", "12:00"),),
        open_matches=0,
        registered_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_a_volunteer_in_the_quarter_with_the_skill_and_some_time_is_eligible() -> None:
    assert ineligibility(volunteer(), SHOPPING_IN_SUED) is None


def test_a_volunteer_is_asked_in_the_quarters_they_reach_only() -> None:
    from_mitte = volunteer(quarter_id="innenstadt-mitte")
    assert ineligibility(from_mitte, SHOPPING_IN_SUED) == "out_of_reach"
    goes_next_door = replace(from_mitte, reaches=frozenset({"innenstadt-mitte", "innenstadt-sued"}))
    assert ineligibility(goes_next_door, SHOPPING_IN_SUED) is None


def test_kinds_that_need_vetting_take_only_volunteers_whose_check_counts_that_day() -> None:
    reading = Need("innenstadt-sued", "reading", frozenset(), vetting_needed_on=date(2026, 11, 23))
    reader = volunteer(skills=frozenset({"reading"}))
    assert ineligibility(reader, reading) == "not_vetted"
    assert ineligibility(replace(reader, vetted_until=date(2026, 11, 23)), reading) == "not_vetted"
    assert ineligibility(replace(reader, vetted_until=date(2026, 11, 24)), reading) is None
    # a kind without the need: the check does not matter
    assert ineligibility(replace(reader, skills=frozenset({"shopping"})), SHOPPING_IN_SUED) is None


def test_a_volunteer_at_their_cap_of_open_tasks_is_not_asked() -> None:
    assert ineligibility(volunteer(max_open=2, open_matches=1), SHOPPING_IN_SUED) is None
    assert ineligibility(volunteer(max_open=2, open_matches=2), SHOPPING_IN_SUED) == "at_capacity"
    assert ineligibility(volunteer(max_open=None, open_matches=9), SHOPPING_IN_SUED) is None


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"status": VolunteerStatus.PAUSED}, "not_active"),
        ({"status": VolunteerStatus.WITHDRAWN}, "not_active"),
        ({"quarter_id": "rosslau"}, "out_of_reach"),
        ({"skills": frozenset({"walk", "reading"})}, "missing_skill"),
        ({"slots": ()}, "no_availability"),
    ],
)
def test_paused_elsewhere_unskilled_or_never_available_volunteers_are_not_asked(overrides: dict, reason: str) -> None:
    assert ineligibility(volunteer(**overrides), SHOPPING_IN_SUED) == reason
    assert rank([volunteer(**overrides)], SHOPPING_IN_SUED, MONDAY_9, BERLIN) == []


def test_the_help_kind_counts_as_a_skill_even_when_the_skill_list_omits_it() -> None:
    escort = Need("innenstadt-sued", help_kind="escort", skills=frozenset())
    assert ineligibility(volunteer(skills=frozenset({"shopping"})), escort) == "missing_skill"
    assert ineligibility(volunteer(skills=frozenset({"escort"})), escort) is None


def test_every_needed_skill_is_required_not_just_one() -> None:
    need = Need("innenstadt-sued", help_kind="escort", skills=frozenset({"escort", "digital_help"}))
    assert ineligibility(volunteer(skills=frozenset({"escort"})), need) == "missing_skill"
    assert ineligibility(volunteer(skills=frozenset({"escort", "digital_help", "walk"})), need) is None


def test_someone_who_speaks_the_persons_language_comes_first() -> None:
    german = volunteer(languages=frozenset({"de"}), registered_at=datetime(2025, 1, 1, tzinfo=UTC))
    russian = volunteer(languages=frozenset({"de", "ru"}), open_matches=2)
    need = replace(SHOPPING_IN_SUED, languages=("ru",))
    assert [r.candidate for r in rank([german, russian], need, MONDAY_9, BERLIN)] == [russian, german]


def test_languages_do_not_matter_when_the_request_names_none() -> None:
    busy_polyglot = volunteer(languages=frozenset({"de", "ru", "ar"}), open_matches=1)
    free = volunteer(languages=frozenset({"de"}))
    assert rank([busy_polyglot, free], SHOPPING_IN_SUED, MONDAY_9, BERLIN)[0].candidate == free


def test_among_equals_the_volunteer_with_fewest_open_tasks_is_asked() -> None:
    busy = volunteer(open_matches=2, slots=(slot("mo", "09:00", "18:00"),))
    idle = volunteer(open_matches=0, slots=(slot("fr", "14:00", "16:00"),))
    assert [r.candidate for r in rank([busy, idle], SHOPPING_IN_SUED, MONDAY_9, BERLIN)] == [idle, busy]


def test_then_whoever_is_available_soonest() -> None:
    friday = volunteer(slots=(slot("fr", "14:00", "16:00"),))
    tomorrow = volunteer(slots=(slot("tu", "08:00", "09:00"),))
    assert rank([friday, tomorrow], SHOPPING_IN_SUED, MONDAY_9, BERLIN)[0].candidate == tomorrow


def test_then_whoever_registered_first() -> None:
    late = volunteer(registered_at=datetime(2026, 6, 1, tzinfo=UTC))
    early = volunteer(registered_at=datetime(2026, 2, 1, tzinfo=UTC))
    assert [r.candidate for r in rank([late, early], SHOPPING_IN_SUED, MONDAY_9, BERLIN)] == [early, late]


def test_volunteers_asked_before_are_skipped_for_the_next_attempt() -> None:
    first = volunteer(registered_at=datetime(2025, 1, 1, tzinfo=UTC))
    second = volunteer()
    assert choose_next([first, second], SHOPPING_IN_SUED, MONDAY_9, BERLIN).candidate == first  # type: ignore[union-attr]
    chosen = choose_next([first, second], SHOPPING_IN_SUED, MONDAY_9, BERLIN, asked=[first.volunteer_id])
    assert chosen is not None and chosen.candidate == second
    assert (
        choose_next(
            [first, second], SHOPPING_IN_SUED, MONDAY_9, BERLIN, asked=[first.volunteer_id, second.volunteer_id]
        )
        is None
    )


def test_a_better_candidate_gets_a_higher_score_than_a_worse_one_on_each_criterion() -> None:
    need = replace(SHOPPING_IN_SUED, languages=("ru",))
    speaks = rank([volunteer(languages=frozenset({"ru"}))], need, MONDAY_9, BERLIN)[0]
    does_not = rank([volunteer()], need, MONDAY_9, BERLIN)[0]
    idle = rank([volunteer()], SHOPPING_IN_SUED, MONDAY_9, BERLIN)[0]
    busy = rank([volunteer(open_matches=3)], SHOPPING_IN_SUED, MONDAY_9, BERLIN)[0]
    assert speaks.score > does_not.score
    assert idle.score > busy.score
    assert 0 <= busy.score <= 1


def test_a_slot_running_right_now_means_available_now() -> None:
    assert next_available([slot("mo", "08:00", "10:00")], MONDAY_9, BERLIN) == MONDAY_9


def test_a_slot_that_ended_today_counts_from_next_week() -> None:
    found = next_available([slot("mo", "07:00", "08:30")], MONDAY_9, BERLIN)
    assert found == datetime(2026, 11, 30, 7, 0, tzinfo=BERLIN)


def test_the_earliest_of_several_slots_is_found_across_the_week() -> None:
    slots = [slot("th", "10:00", "12:00"), slot("we", "16:00", "18:00"), slot("mo", "07:00", "08:00")]
    assert next_available(slots, MONDAY_9, BERLIN) == datetime(2026, 11, 25, 16, 0, tzinfo=BERLIN)


def test_local_times_hold_across_the_change_to_summer_time() -> None:
    # Friday 27 March 2026, 12:00; clocks go forward on Sunday 29 March
    friday = datetime(2026, 3, 27, 12, 0, tzinfo=BERLIN)
    found = next_available([slot("mo", "10:00", "12:00")], friday, BERLIN)
    assert found == datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)
    assert found.utcoffset() == timedelta(hours=2)
    assert found.astimezone(UTC).hour == 8


def test_no_slots_means_never_available() -> None:
    assert next_available([], MONDAY_9, BERLIN) is None


@pytest.mark.across_dates
def test_a_window_later_today_counts_today_and_one_that_ended_today_counts_a_week_later(clock) -> None:
    now = clock.now().astimezone(BERLIN)
    today, weekday = now.date(), list(Weekday)[now.weekday()]
    later = (now + timedelta(minutes=5)).replace(second=0, microsecond=0)
    earlier = (now - timedelta(minutes=5)).replace(second=0, microsecond=0)
    assert later.date() == today == earlier.date(), "the critical days leave five minutes either side"

    found = next_available([Slot(weekday, later.time(), time(23, 59))], now, BERLIN)
    assert found == datetime.combine(today, later.time(), BERLIN)
    ended = next_available([Slot(weekday, time(0, 0), earlier.time())], now, BERLIN)
    assert ended == datetime.combine(today + timedelta(days=7), time(0, 0), BERLIN)


def test_a_proposal_counts_toward_the_load_the_next_request_sees() -> None:
    first, second = volunteer(registered_at=datetime(2025, 1, 1, tzinfo=UTC)), volunteer()
    pool = {c.volunteer_id: c for c in (first, second)}
    chosen = []
    for _ in range(4):  # one batch of four requests, each seeing the proposals before it
        best = choose_next(pool.values(), SHOPPING_IN_SUED, MONDAY_9, BERLIN)
        assert best is not None
        chosen.append(best.candidate.volunteer_id)
        pool[best.candidate.volunteer_id] = proposed(best.candidate)
    assert chosen == [first.volunteer_id, second.volunteer_id] * 2
    assert proposed(first).open_matches == 1 and proposed(first).volunteer_id == first.volunteer_id


def test_the_next_volunteer_is_the_first_of_the_ranking_whatever_the_ties() -> None:
    rnd = random.Random(7)
    slots = [
        slot("mo", "08:00", "10:00"),
        slot("tu", "10:00", "12:00"),
        slot("mo", "07:00", "08:30"),
        slot("fr", "14:00", "16:00"),
    ]
    instants = [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)]
    for _ in range(300):
        pool = [
            volunteer(
                status=rnd.choice([VolunteerStatus.ACTIVE] * 4 + [VolunteerStatus.PAUSED]),
                skills=frozenset(rnd.sample(["shopping", "walk", "escort"], rnd.randint(1, 3))),
                languages=frozenset(rnd.sample(["de", "ru", "tr"], rnd.randint(1, 2))),
                slots=tuple(rnd.sample(slots, rnd.randint(0, 2))),
                open_matches=rnd.randint(0, 2),
                registered_at=rnd.choice(instants),
            )
            for _ in range(rnd.randint(0, 12))
        ]
        need = replace(SHOPPING_IN_SUED, languages=tuple(rnd.sample(["de", "ru", "tr", "ar"], rnd.randint(0, 2))))
        asked = [c.volunteer_id for c in pool if rnd.random() < 0.2]
        ranked = rank([c for c in pool if c.volunteer_id not in asked], need, MONDAY_9, BERLIN)
        # the documented order: languages shared, load, next available, registration, then the id as text
        assert ranked == sorted(
            ranked,
            key=lambda r: (
                -r.shared_languages,
                r.candidate.open_matches,
                r.next_available,
                r.candidate.registered_at,
                str(r.candidate.volunteer_id),
            ),
        )
        assert choose_next(pool, need, MONDAY_9, BERLIN, asked=asked) == (ranked[0] if ranked else None)


def test_the_time_to_match_is_whole_minutes_from_the_request_and_never_negative() -> None:
    received = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert minutes_to_match(received, received + timedelta(hours=2, minutes=5, seconds=59)) == 125
    assert minutes_to_match(received, received - timedelta(minutes=3)) == 0, "clocks of two replicas may differ"
