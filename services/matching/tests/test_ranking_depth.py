"""Continuity, skill levels, recurring slots and the rules of a coordinator's choice by hand, as
plain functions: who is asked first, and what a coordinator may and may not set aside."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest

from qn_contracts.vocabulary import VolunteerStatus, Weekday
from qn_infra.errors import Invalid
from qn_matching.matches import by_hand
from qn_matching.matches.domain import Candidate, Need, choose_next, ineligibility, rank
from qn_matching.matches.reasons import reasons_for, words
from qn_matching.matches.shortlist import Shortlists
from qn_matching.volunteers.domain import LevelWithoutSkill, Slot, check_levels, level_ranks

from .test_ranking import BERLIN, MONDAY_9, SHOPPING_IN_SUED, volunteer

pytestmark = pytest.mark.unit

REPAIRS = Need("innenstadt-sued", "small_repairs", frozenset(), level_wanted=2)


def handy(level: str | None, **overrides: object) -> Candidate:
    levels = level_ranks({"small_repairs": level}) if level else None
    return volunteer(skills=frozenset({"small_repairs"}), levels=levels, **overrides)


def test_the_volunteer_who_helped_the_person_last_time_is_asked_first() -> None:
    early, known = volunteer(languages=frozenset({"de", "ru"})), volunteer(open_matches=2)
    need = replace(SHOPPING_IN_SUED, languages=("ru",), helped_before=known.volunteer_id)
    assert [r.candidate for r in rank([early, known], need, MONDAY_9, BERLIN)] == [known, early]
    best = choose_next([early, known], need, MONDAY_9, BERLIN)
    assert best is not None and best.helped_before
    assert words(reasons_for(best, need, MONDAY_9, BERLIN)[0])[0].startswith("hat der Person schon einmal geholfen")
    # continuity never beats a hard rule: away from the quarter they reach, they are not asked
    moved = replace(known, quarter_id="rosslau")
    assert choose_next([early, moved], need, MONDAY_9, BERLIN).candidate == early  # type: ignore[union-attr]


def test_where_the_help_asks_for_experience_who_has_it_comes_before_who_is_less_busy() -> None:
    basic, expert, unknown = handy("basic"), handy("expert", open_matches=3), handy(None)
    order = [r.candidate for r in rank([basic, unknown, expert], REPAIRS, MONDAY_9, BERLIN)]
    assert order[0] == expert
    best = choose_next([basic, expert], REPAIRS, MONDAY_9, BERLIN)
    assert best is not None and best.skilled
    [level] = [r for r in reasons_for(best, REPAIRS, MONDAY_9, BERLIN) if r["code"] == "skill_level"]
    assert words(level)[0] == "bringt für „Kleine Reparaturen“ die gewünschte Erfahrung mit (Fachkraft)"
    # a kind that asks for no level: the levels do not count
    assert rank([basic, expert], replace(REPAIRS, level_wanted=0), MONDAY_9, BERLIN)[0].candidate == basic


def test_the_shortlists_choose_as_the_plain_ranking_does_with_continuity_and_levels() -> None:
    people = [
        handy(level, registered_at=datetime(2026, 1, i + 1, tzinfo=UTC))
        for i, level in enumerate(["basic", None, "experienced", "expert", "basic", "experienced"])
    ]
    lists = Shortlists(people, BERLIN)
    plain = {p.volunteer_id: p for p in people}
    for turn in range(8):
        need = replace(REPAIRS, helped_before=people[1].volunteer_id if turn == 5 else None)
        expected = choose_next(plain.values(), need, MONDAY_9, BERLIN)
        found = lists.choose_next(need, MONDAY_9)
        assert found is not None and expected is not None
        assert found.candidate.volunteer_id == expected.candidate.volunteer_id, turn
        lists.proposed(found.candidate.volunteer_id)
        plain[found.candidate.volunteer_id] = lists.current[found.candidate.volunteer_id]


def test_recurring_help_takes_only_volunteers_whose_week_covers_its_slot() -> None:
    tuesday_10 = Slot(Weekday.TUESDAY, time(10), time(11, 30))
    need = replace(SHOPPING_IN_SUED, weekly_slot=tuesday_10)
    assert ineligibility(volunteer(), need) is None  # tu 10-12 holds tu 10-11:30
    late = volunteer(slots=(Slot(Weekday.TUESDAY, time(10, 30), time(12)),))
    assert ineligibility(late, need) == "not_available_for_slot"
    assert ineligibility(volunteer(slots=(Slot(Weekday.WEDNESDAY, time(10), time(12)),)), need) == (
        "not_available_for_slot"
    )


def test_a_coordinator_may_override_reach_and_cap_but_never_a_hard_rule() -> None:
    reading = Need("innenstadt-sued", "reading", frozenset(), vetting_needed_on=date(2026, 11, 23))
    far_and_busy = volunteer(skills=frozenset({"reading"}), quarter_id="rosslau", max_open=1, open_matches=1)
    hard, soft = by_hand.obstacles(far_and_busy, reading, away=True, asked_before=False)
    assert hard == ["away", "not_vetted"] and soft == ["out_of_reach", "at_capacity"]
    with pytest.raises(Invalid) as refused:
        by_hand.check_placeable("Renate K.", hard, soft, ["out_of_reach", "at_capacity"], field="volunteer_id")
    assert refused.value.field == "volunteer_id"
    assert "Führungszeugnis" in refused.value.de and "abwesend" in refused.value.de
    vetted = replace(far_and_busy, vetted_until=date(2027, 1, 1))
    hard, soft = by_hand.obstacles(vetted, reading, away=False, asked_before=False)
    with pytest.raises(Invalid) as needs_override:
        by_hand.check_placeable("Renate K.", hard, soft, ["out_of_reach"], field="volunteer_id")
    assert needs_override.value.field == "overrides" and "at_capacity" in needs_override.value.de
    by_hand.check_placeable("Renate K.", hard, soft, ["out_of_reach", "at_capacity"], field="volunteer_id")
    assert by_hand.obstacles(replace(vetted, status=VolunteerStatus.PAUSED), reading, away=False, asked_before=True)[
        0
    ] == ["not_active", "already_asked"]


def test_a_level_is_given_only_for_a_skill_offered() -> None:
    check_levels({"small_repairs": "expert"}, ["small_repairs"])  # type: ignore[dict-item]
    with pytest.raises(LevelWithoutSkill) as refused:
        check_levels({"walk": "basic"}, ["small_repairs"])  # type: ignore[dict-item]
    assert refused.value.field == "skill_levels.walk"
    assert level_ranks({"walk": "basic", "x": "nonsense"}) == {"walk": 1}


def test_an_offer_goes_to_two_to_ten_different_volunteers() -> None:
    ids = [uuid.uuid4() for _ in range(11)]
    by_hand.check_offer_list(ids[:2], most=10)
    for wrong in (ids[:1], ids, [ids[0], ids[0]]):
        with pytest.raises(Invalid) as refused:
            by_hand.check_offer_list(wrong, most=10)
        assert refused.value.field == "volunteer_ids"
