"""RFC 5545 recurrence of an offer: the rule is read and written by icalendar's `vRecur` and
expanded by python-dateutil's `rrule`; nothing here counts weekdays by hand.

Occurrences are wall-clock times in the city's time zone: the first start is an aware local
datetime and dateutil combines each generated day with that time and zone, so "Monday 11:00"
stays 11:00 on both sides of the clock change (its UTC offset changes instead)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice

from dateutil.rrule import rrule, rrulestr
from icalendar.prop import vRecur

from qn_infra.errors import Invalid

MAX_OCCURRENCES = 1000
"""A series longer than this (about three years of a daily offer) is refused: plan it again later."""
ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


class InvalidRule(Invalid):
    code = "invalid_rrule"


class UnboundedRule(Invalid):
    code = "rrule_without_end"


class EmptyRule(Invalid):
    code = "rrule_without_occurrences"


def _invalid(de: str, en: str) -> InvalidRule:
    return InvalidRule(de, en, field="rrule")


def normalise_rule(text: str, tz: tzinfo) -> str:
    """The rule as it is stored and published: RFC 5545 text without a `RRULE:` prefix, with an
    end (UNTIL in UTC, as RFC 5545 wants it beside a DTSTART with TZID) or a COUNT. A date or a
    local time as UNTIL means the end of that local day or that local moment."""
    raw = text.strip()
    if raw.upper().startswith("RRULE:"):
        raw = raw[6:]
    if not raw or "\n" in raw or "DTSTART" in raw.upper():
        raise _invalid(
            "Bitte nur die Regel angeben (z. B. FREQ=WEEKLY;BYDAY=MO;COUNT=10); der Beginn steht in first_day/starts.",
            "Please give only the rule (e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10); the start goes in first_day/starts.",
        )
    try:
        recur = vRecur.from_ical(raw)
    except (ValueError, TypeError, KeyError):
        raise _invalid(
            f"Die Wiederholungsregel '{raw}' ist nach RFC 5545 nicht lesbar.",
            f"The recurrence rule '{raw}' is not valid RFC 5545.",
        ) from None
    freq = recur.get("FREQ", [None])[0]
    if freq not in ALLOWED_FREQUENCIES:
        raise _invalid(
            "FREQ muss DAILY, WEEKLY, MONTHLY oder YEARLY sein.",
            "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.",
        )
    has_count, has_until = "COUNT" in recur, "UNTIL" in recur
    if not has_count and not has_until:
        raise UnboundedRule(
            "Eine Terminreihe braucht ein Ende: UNTIL (Enddatum) oder COUNT (Anzahl der Termine).",
            "A series needs an end: UNTIL (end date) or COUNT (number of occurrences).",
            field="rrule",
        )
    if has_count and has_until:
        raise _invalid("Bitte UNTIL oder COUNT angeben, nicht beides.", "Give UNTIL or COUNT, not both.")
    if has_until:
        recur["UNTIL"] = [_until_in_utc(recur["UNTIL"][0], tz)]
    rendered = recur.to_ical()
    return rendered.decode() if isinstance(rendered, bytes) else str(rendered)


def _until_in_utc(until: date | datetime, tz: tzinfo) -> datetime:
    if not isinstance(until, datetime):
        until = datetime.combine(until, time(23, 59, 59), tz)
    elif until.tzinfo is None:
        until = until.replace(tzinfo=tz)
    return until.astimezone(UTC)


def parse(rule: str, first_start: datetime) -> rrule:
    """The dateutil rule for a normalised rule text starting at an aware local `first_start`."""
    try:
        parsed = rrulestr(rule, dtstart=first_start)
    except (ValueError, TypeError):
        raise _invalid(
            f"Die Wiederholungsregel '{rule}' ist nicht lesbar.", f"The rule '{rule}' is not valid."
        ) from None
    if not isinstance(parsed, rrule):  # an rruleset: only from multi-line input, refused above
        raise _invalid("Nur eine Regel je Angebot.", "One rule per offer.")
    return parsed


def expand(rule: str, first_start: datetime) -> list[datetime]:
    """Every start of the series, in order; refuses a rule that yields none or too many."""
    starts = list(islice(iter(parse(rule, first_start)), MAX_OCCURRENCES + 1))
    if not starts:
        raise EmptyRule(
            "Diese Regel ergibt keinen einzigen Termin (z. B. UNTIL vor dem ersten Tag).",
            "This rule yields no occurrence at all (e.g. UNTIL before the first day).",
            field="rrule",
        )
    if len(starts) > MAX_OCCURRENCES:
        raise _invalid(
            f"Höchstens {MAX_OCCURRENCES} Termine je Reihe; bitte ein früheres Ende wählen.",
            f"At most {MAX_OCCURRENCES} occurrences per series; please choose an earlier end.",
        )
    return starts


def between(rule: str, first_start: datetime, starts: datetime, ends: datetime) -> Iterator[datetime]:
    """The starts of the series within [starts, ends)."""
    for moment in parse(rule, first_start).xafter(starts, inc=True):
        if moment >= ends:
            return
        yield moment


def ending_before(rule: str, moment: datetime) -> str:
    """The same rule, ending just before `moment` (for "this and all following" edits)."""
    recur = vRecur.from_ical(rule)
    recur.pop("COUNT", None)
    recur["UNTIL"] = [(moment - timedelta(seconds=1)).astimezone(UTC)]
    rendered = recur.to_ical()
    return rendered.decode() if isinstance(rendered, bytes) else str(rendered)


def with_count(rule: str, count: int) -> str:
    """The same rule with another COUNT (the remainder of a series split in two)."""
    recur = vRecur.from_ical(rule)
    recur["COUNT"] = [count]
    rendered = recur.to_ical()
    return rendered.decode() if isinstance(rendered, bytes) else str(rendered)
