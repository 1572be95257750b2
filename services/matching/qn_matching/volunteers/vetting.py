"""Vetting the data-minimal way (§ 72a SGB VIII, and the same practice for vulnerable adults): a
coordinator inspects the volunteer's extended police certificate (erweitertes Führungszeugnis)
and records only who inspected it, its date, whether it has no relevant entry, and when it is to
be checked again -- never the document or what it says. Help kinds the city names need a valid
check; a missing or expired one keeps the volunteer from being proposed for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from qn_infra.errors import Invalid


class InvalidVetting(Invalid):
    code = "invalid_vetting"


@dataclass(frozen=True)
class Vetting:
    inspected_by: str
    certificate_date: date
    no_relevant_entry: bool
    recheck_on: date


def years_later(day: date, years: int) -> date:
    """The same day `years` on; 29 February becomes 28 February in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_vetting(
    *,
    inspected_by: str,
    certificate_date: date,
    no_relevant_entry: bool,
    recheck_on: date | None,
    today: date,
    valid_years: int,
) -> Vetting:
    """The record to keep: refuses a certificate dated in the future and a re-check date not after
    it; the re-check date is `valid_years` after the certificate unless given."""
    if certificate_date > today:
        raise InvalidVetting(
            f"Das Führungszeugnis kann nicht in der Zukunft ausgestellt sein ({certificate_date.isoformat()}).",
            f"The certificate cannot be dated in the future ({certificate_date.isoformat()}).",
            field="certificate_date",
        )
    recheck = recheck_on or years_later(certificate_date, valid_years)
    if recheck <= certificate_date:
        raise InvalidVetting(
            "Die Wiedervorlage muss nach dem Datum des Führungszeugnisses liegen.",
            "The re-check date must be after the certificate's date.",
            field="recheck_on",
        )
    return Vetting(inspected_by, certificate_date, no_relevant_entry, recheck)


def vetted_until(no_relevant_entry: bool | None, recheck_on: date | None) -> date | None:
    """Until when (exclusive) a volunteer counts as vetted: None without a clear check."""
    return recheck_on if no_relevant_entry and recheck_on is not None else None


def is_vetted(until: date | None, on: date) -> bool:
    """A check counts up to the day before its re-check date."""
    return until is not None and on < until
