"""Age bands from a birth year, as plain rules: with the year alone the younger possible age
counts (a possible minor is treated as one), and the year is the city's, not UTC's."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from qn_contracts.vocabulary import AgeBand
from qn_infra.clock import TickingClock
from qn_intake.concerns.domain import AgeBandNotFitting, age_band, age_band_for_birth_year

pytestmark = pytest.mark.unit

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.across_dates
def test_the_band_follows_the_younger_age_a_birth_year_allows_on_any_day(clock: TickingClock) -> None:
    today = clock.now().astimezone(BERLIN).date()
    assert age_band_for_birth_year(today.year - 12, today) == AgeBand.UNDER_18
    assert age_band_for_birth_year(today.year - 18, today) == AgeBand.UNDER_18  # 17 until the birthday
    assert age_band_for_birth_year(today.year - 19, today) == AgeBand.AGE_18_26
    assert age_band_for_birth_year(today.year - 80, today) == AgeBand.AGE_65_79  # 79 until the birthday
    assert age_band_for_birth_year(today.year - 81, today) == AgeBand.AGE_80_PLUS
    assert age_band_for_birth_year(today.year, today) == AgeBand.UNDER_18  # born this year


def test_half_an_hour_into_new_year_in_berlin_is_already_the_new_year() -> None:
    moment = datetime(2027, 1, 1, 0, 30, tzinfo=BERLIN)  # still 2026 in UTC
    local = moment.astimezone(BERLIN).date()
    assert local == date(2027, 1, 1)
    assert age_band_for_birth_year(2008, local) == AgeBand.AGE_18_26  # 18 or 19 in 2027
    assert age_band_for_birth_year(2008, date(2026, 12, 31)) == AgeBand.UNDER_18  # 17 or 18 in 2026


def test_a_given_band_stands_unless_the_birth_year_rules_it_out() -> None:
    today = date(2027, 3, 10)
    assert age_band(AgeBand.AGE_18_26, 2009, today) == AgeBand.AGE_18_26  # 17 or 18: staff know which
    assert age_band(None, None, today) is None
    assert age_band(AgeBand.AGE_80_PLUS, None, today) == AgeBand.AGE_80_PLUS
    with pytest.raises(AgeBandNotFitting) as refused:
        age_band(AgeBand.AGE_65_79, 2015, today)
    assert refused.value.field == "age_band" and "2015" in refused.value.de
