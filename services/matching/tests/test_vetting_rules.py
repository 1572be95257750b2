"""What is kept of a police-certificate check, and until when it counts, as plain functions."""

from __future__ import annotations

from datetime import date

import pytest

from qn_matching.volunteers.vetting import InvalidVetting, check_vetting, is_vetted, vetted_until, years_later

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 23)


def test_the_recheck_is_five_years_after_the_certificate_unless_configured_or_given() -> None:
    kept = check_vetting(
        inspected_by="anna",
        certificate_date=date(2026, 11, 2),
        no_relevant_entry=True,
        recheck_on=None,
        today=TODAY,
        valid_years=5,
    )
    assert kept.recheck_on == date(2031, 11, 2)
    three = check_vetting(
        inspected_by="anna",
        certificate_date=date(2026, 11, 2),
        no_relevant_entry=True,
        recheck_on=None,
        today=TODAY,
        valid_years=3,
    )
    assert three.recheck_on == date(2029, 11, 2)
    given = check_vetting(
        inspected_by="anna",
        certificate_date=date(2026, 11, 2),
        no_relevant_entry=True,
        recheck_on=date(2028, 1, 31),
        today=TODAY,
        valid_years=5,
    )
    assert given.recheck_on == date(2028, 1, 31)


def test_a_certificate_of_29_february_is_rechecked_on_28_february() -> None:
    assert years_later(date(2024, 2, 29), 5) == date(2029, 2, 28)


@pytest.mark.parametrize(
    ("certificate_date", "recheck_on", "field"),
    [(date(2026, 11, 24), None, "certificate_date"), (date(2026, 11, 2), date(2026, 11, 2), "recheck_on")],
)
def test_a_certificate_from_the_future_or_a_recheck_before_it_is_refused(certificate_date, recheck_on, field) -> None:
    with pytest.raises(InvalidVetting) as refused:
        check_vetting(
            inspected_by="anna",
            certificate_date=certificate_date,
            no_relevant_entry=True,
            recheck_on=recheck_on,
            today=TODAY,
            valid_years=5,
        )
    assert refused.value.field == field


def test_only_a_clear_check_counts_and_only_before_its_recheck_day() -> None:
    assert vetted_until(False, date(2031, 1, 1)) is None
    assert vetted_until(None, None) is None
    until = vetted_until(True, date(2031, 1, 1))
    assert is_vetted(until, date(2030, 12, 31)) and not is_vetted(until, date(2031, 1, 1))
    assert not is_vetted(None, TODAY)
