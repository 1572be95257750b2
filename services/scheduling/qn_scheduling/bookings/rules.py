"""What a site allows carriers who book or request its rooms themselves: how far ahead, and how
many hours a month (`BookingRules`). Plain data in, decisions out; the city's staff are not bound."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from qn_infra.errors import Conflict, Forbidden, Invalid

from ..sites.domain import BookingRules

Period = tuple[datetime, datetime]


class BeyondHorizon(Invalid):
    code = "beyond_booking_horizon"


class QuotaExceeded(Conflict):
    code = "quota_exceeded"


class ApprovalRequired(Forbidden):
    code = "approval_required"


def check_horizon(periods: Sequence[Period], rules: BookingRules, *, now: datetime, tz: ZoneInfo, field: str) -> None:
    """Every period starts on or before the last local day the site lets carriers book."""
    last_day = now.astimezone(tz).date() + timedelta(days=rules.horizon_days)
    late = [start for start, _ in periods if start.astimezone(tz).date() > last_day]
    if late:
        first = min(late).astimezone(tz)
        raise BeyondHorizon(
            f"Träger können hier höchstens {rules.horizon_days} Tage im Voraus buchen (bis {last_day:%d.%m.%Y}); "
            f"{first:%d.%m.%Y} liegt später.",
            f"Carriers may book at most {rules.horizon_days} days ahead here (until {last_day:%Y-%m-%d}); "
            f"{first:%Y-%m-%d} is later.",
            field=field,
            extra={"last_day": last_day.isoformat()},
        )


def minutes_by_month(periods: Iterable[Period], tz: ZoneInfo) -> dict[date, int]:
    """Minutes per local calendar month (keyed by its first day), by the day each period starts."""
    months: dict[date, int] = defaultdict(int)
    for start, end in periods:
        months[start.astimezone(tz).date().replace(day=1)] += int((end - start).total_seconds() // 60)
    return months


def check_quota(
    wanted: Sequence[Period],
    held: Iterable[Period],
    rules: BookingRules,
    *,
    org_id: str | None,
    tz: ZoneInfo,
    field: str = "starts_at",
) -> None:
    """The carrier's room time at the site in each month, held plus wanted, stays within its quota
    (`org_id`: the carrier as the message names it)."""
    if rules.carrier_hours_per_month is None:
        return
    limit = rules.carrier_hours_per_month * 60
    used = minutes_by_month(held, tz)
    for month, minutes in sorted(minutes_by_month(wanted, tz).items()):
        if used.get(month, 0) + minutes > limit:
            free = max(0, limit - used.get(month, 0)) / 60
            raise QuotaExceeded(
                f"Für {org_id or 'diesen Träger'} sind im Monat {month:%m/%Y} höchstens "
                f"{rules.carrier_hours_per_month} Stunden an diesem Standort möglich; frei sind noch "
                f"{free:.1f} Stunden.".replace(".", ",", 1),
                f"{org_id or 'This carrier'} may hold at most {rules.carrier_hours_per_month} hours at this site "
                f"in {month:%Y-%m}; {free:.1f} hours are left.",
                field=field,
                extra={"month": f"{month:%Y-%m}", "hours_left": free},
            )


def approval_required(site_name: str) -> ApprovalRequired:
    return ApprovalRequired(
        f"Im {site_name} vergibt die Koordination die Räume: bitte eine Raumanfrage stellen "
        "(POST /sites/{site_id}/rooms/{room_id}/requests).",
        f"At {site_name} the coordinator allocates rooms: please send a room request "
        "(POST /sites/{site_id}/rooms/{room_id}/requests).",
        field="org_id",
    )
