"""The programme page: server-rendered HTML from one Jinja2 template, words from the catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from ..city import City
from ..offers.calendar_rules import OccurrenceStatus
from ..sites.models import Site
from .messages import MESSAGES, TARGET_GROUPS, target_group_label
from .queries import Entry, Filters

_ENV = Environment(
    loader=PackageLoader("qn_scheduling", "programme/templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass
class Row:
    time: str
    title: str
    where: str
    by: str
    notes: str
    cancelled: bool
    moved: bool


@dataclass
class Day:
    name: str
    date_text: str
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class PageRequest:
    path: str
    monday: date
    filters: Filters
    lang: str
    heading: str
    feed_url: str | None
    show_quarter: bool


def render(request: PageRequest, entries: list[Entry], sites: list[Site], city: City, *, now: datetime) -> str:
    t = MESSAGES[request.lang]
    tz = city.timezone
    day_names = t["day_names"].split(",")
    orgs = dict(city.organisation_names)
    days: dict[date, Day] = {}
    for entry in entries:
        start = entry.occurrence.starts_at.astimezone(tz)
        end = entry.occurrence.ends_at.astimezone(tz)
        day = days.setdefault(start.date(), Day(day_names[start.weekday()], t["date"].format(d=start.date())))
        day.rows.append(
            Row(
                time=f"{start:%H:%M}–{end:%H:%M}",
                title=entry.offer.title,
                where=entry.room_name if request.filters.site_id else f"{entry.site.name}, {entry.room_name}",
                by=orgs.get(entry.offer.org_id or "", entry.offer.org_id or ""),
                notes=_notes(entry, t),
                cancelled=entry.occurrence.status == OccurrenceStatus.CANCELLED.value,
                moved=entry.occurrence.moved,
            )
        )
    sunday = request.monday + timedelta(days=6)
    week_param = f"{request.monday.isocalendar().year}-W{request.monday.isocalendar().week:02d}"
    shown_sites = [s for s in sites if request.filters.site_id in (None, s.id)]
    context: dict[str, Any] = {
        "lang": request.lang,
        "t": t,
        "heading": request.heading,
        "week_text": t["week"].format(first=t["date"].format(d=request.monday), last=t["date"].format(d=sunday)),
        "week_param": week_param,
        "previous_url": _url(request, request.monday - timedelta(days=7)),
        "next_url": _url(request, request.monday + timedelta(days=7)),
        "lang_url": _url(request, request.monday, lang="en" if request.lang == "de" else "de"),
        "feed_url": request.feed_url,
        "show_quarter": request.show_quarter,
        "quarters": [(code, name) for code, name in city.quarter_names if any(s.quarter_id == code for s in sites)],
        "target_groups": [(code, target_group_label(code, request.lang)) for code in TARGET_GROUPS],
        "topics": [(code, de if request.lang == "de" else en) for code, de, en in city.topic_labels],
        "chosen": request.filters,
        "days": [days[d] for d in sorted(days)],
        "shown_sites": shown_sites,
        "print_note": t["print_note"].format(stamp=t["date"].format(d=now.astimezone(tz).date())),
    }
    return _ENV.get_template("programme.html").render(context)


def _notes(entry: Entry, t: dict[str, str]) -> str:
    offer = entry.offer
    parts = [t["free"] if offer.cost == "free" else t["contribution"]]
    if offer.registration_required:
        parts.append(t["registration"])
    if offer.capacity:
        parts.append(t["places"].format(n=offer.capacity))
    if entry.occurrence.status == OccurrenceStatus.CANCELLED.value and entry.occurrence.label:
        parts.insert(0, entry.occurrence.label)
    return ", ".join(parts)


def _url(request: PageRequest, monday: date, *, lang: str | None = None) -> str:
    iso = monday.isocalendar()
    params = {"week": f"{iso.year}-W{iso.week:02d}", "lang": lang or request.lang}
    chosen = request.filters
    for key, value in (("quarter", chosen.quarter_id), ("target_group", chosen.target_group), ("topic", chosen.topic)):
        if value and not (key == "quarter" and not request.show_quarter):
            params[key] = value
    return f"{request.path}?{urlencode(params)}"


def monday_of(week: str | None, now: datetime, tz: ZoneInfo) -> date:
    """The Monday of an ISO week ("2027-W12"), or of the current week."""
    if week:
        year, number = week.split("-W")
        return date.fromisocalendar(int(year), int(number), 1)
    today = now.astimezone(tz).date()
    return today - timedelta(days=today.weekday())
