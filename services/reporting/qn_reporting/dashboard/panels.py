"""The dashboard's panels of the finer figures: for each, a bar chart, the table of exactly the
values the chart draws (and a few more columns), the flagged quarters of the early warning, and
how fresh the figure is. Built from the published figure (`..breakdowns.api.figure_out`) only, so
the page shows nothing the public API would not. Pure functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..breakdowns.schemas import FigureOut, FigureRowOut
from . import charts

CITY, SITES = "city", "sites"


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    chart_title: str
    bars: list[charts.Bar]
    headers: list[str]
    rows: list[tuple[str, list[str]]]
    fresh: str
    csv_url: str
    flags: list[str] = field(default_factory=list)


def shown(value: float | None, *, share: bool = False) -> str:
    """A published value the German way ("." where not published; decimal comma)."""
    if value is None:
        return "."
    if share:
        return f"{value * 100:.0f} %"
    text = str(int(value)) if float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", ",")


def change(now: float | None, before: float | None) -> str:
    """The change against the previous year in per cent ("+12 %"); "–" where either value is
    not published or the previous one is 0."""
    if now is None or before is None or before == 0:
        return "–"
    return f"{(now - before) / before * 100:+.0f} %"


def _year_values(figure: FigureOut | None, column: str) -> dict[str, float | None]:
    """place -> the published value of `column` for the figure's whole year (all topics and details)."""
    if figure is None:
        return {}
    year = str(figure.year)
    return {r.place: r.values[column] for r in figure.rows if r.period == year and r.topic == "*" and r.detail == "*"}


def _rows(figure: FigureOut, keep: Callable[[FigureRowOut], bool]) -> list[FigureRowOut]:
    return [row for row in figure.rows if keep(row)]


def _fresh(figure: FigureOut, t: dict[str, str]) -> str:
    return fresh_line(figure.freshness.latest_event_time, figure.freshness.events, t)


def fresh_line(latest: datetime | None, events: int, t: dict[str, str]) -> str:
    """Up to which event a figure reaches, in the reader's language."""
    if latest is None:
        return t["fresh_none"]
    return t["fresh"].format(latest=latest.strftime("%Y-%m-%d %H:%M UTC"), events=events)


def _bars(series: list[tuple[str, float | None]]) -> list[charts.Bar]:
    return charts.bars([(label, None if v is None else round(v)) for label, v in series])


def build(
    figures: dict[str, FigureOut],
    t: dict[str, str],
    csv_url: Callable[[str], str],
    before: dict[str, FigureOut] | None = None,
) -> list[Panel]:
    """The panels of one year's figures; `before` holds the previous year's, for the trend
    columns (both years as published: a trend reveals nothing the two figures do not)."""
    year = str(next(iter(figures.values())).year) if figures else ""
    before = before or {}
    panels = []

    quartals = [f"{year}-Q{q}" for q in range(1, 5)]
    if "concerns" in figures:
        panels.append(_by_detail(figures["concerns"], before.get("concerns"), year, quartals, t, csv_url, "channels"))

    if "referrals" in figures:
        panels.append(_referrals(figures["referrals"], year, t, csv_url))

    unmet = figures["unmet_need"]
    city_total = _rows(unmet, lambda r: r.place == CITY and r.topic == "*")
    by_reason = {(r.period, r.detail): r.values["referrals"] for r in city_total}
    reason_names = {r.detail: r.detail_label or r.detail or "–" for r in city_total} | {"*": t["all_reasons"]}
    reasons = sorted({r.detail for r in city_total} - {"*"})
    panels.append(
        Panel(
            "unmet",
            unmet.label,
            t["unmet_chart"].format(year=year),
            _bars([(reason_names[r], by_reason.get((year, r), 0)) for r in reasons]),
            [unmet.detail_label or "", *quartals, year],
            [(reason_names[r], [shown(by_reason.get((p, r), 0)) for p in (*quartals, year)]) for r in [*reasons, "*"]],
            _fresh(unmet, t),
            csv_url("unmet_need"),
        )
    )

    warning = figures["early_warning"]
    weekly = [(r.period, r.values["signals"]) for r in _rows(warning, lambda r: r.place == CITY and "-W" in r.period)]
    flags = [
        t["flagged"].format(
            place=f.place_label, weeks=", ".join(f"{w.week} ({w.signals}; z = {w.z:.1f})" for w in f.weeks)
        )
        for f in warning.flagged
    ]
    panels.append(
        Panel(
            "warning",
            warning.label,
            t["warning_chart"].format(year=year),
            _bars([(p.split("-W")[1], v) for p, v in weekly]),
            [t["week"], t["signals"]],
            [(p, [shown(v)]) for p, v in weekly],
            _fresh(warning, t),
            csv_url("early_warning"),
            flags or [t["no_flags"]],
        )
    )

    if "signals" in figures:
        panels.append(_by_detail(figures["signals"], before.get("signals"), year, quartals, t, csv_url, "signals"))

    if "follow_ups" in figures:
        panels.append(_follow_ups(figures["follow_ups"], year, quartals, t, csv_url))

    helps = figures["neighbourly_help"]
    per_quartal = {r.period: r.values["requested"] for r in _rows(helps, lambda r: r.place == CITY and r.detail == "*")}
    kinds = _rows(helps, lambda r: r.place == CITY and r.period == year)
    names = ["requested", "matched", "matched_share", "unmatched", "hours", "mean_minutes_to_match"]
    labels = {c.name: c.label for c in helps.columns}
    panels.append(
        Panel(
            "help",
            helps.label,
            t["help_chart"].format(year=year),
            # a Quartal without a row had nothing in it (rows of zeros are left out): 0, not "."
            _bars([(q.split("-")[1], per_quartal.get(q, 0)) for q in quartals]),
            [helps.detail_label or "", *(labels[n] for n in names)],
            [
                (
                    t["all_kinds"] if r.detail == "*" else (r.detail_label or r.detail),
                    [shown(r.values[n], share=n == "matched_share") for n in names],
                )
                for r in sorted(kinds, key=lambda r: (r.detail == "*", r.detail))
            ],
            _fresh(helps, t),
            csv_url("neighbourly_help"),
        )
    )

    drop_in = figures["drop_in"]
    weekly_attendance = [
        (r.period.split("-W")[1], r.values["attendance"])
        for r in _rows(drop_in, lambda r: r.place == SITES and "-W" in r.period)
    ]
    offers = _rows(drop_in, lambda r: r.period == year and r.place != SITES)
    names = ["held", "cancelled", "attendance", "mean_attendance"]
    labels = {c.name: c.label for c in drop_in.columns}
    last_year = _year_values(before.get("drop_in"), "attendance")
    panels.append(
        Panel(
            "dropin",
            drop_in.label,
            t["dropin_chart"].format(year=year),
            _bars(weekly_attendance),
            [t["offer"], *(labels[n] for n in names), t["previous_year"], t["change"]],
            [
                (
                    r.place_label,
                    [
                        *(shown(r.values[n]) for n in names),
                        shown(last_year.get(r.place)),
                        change(r.values["attendance"], last_year.get(r.place)),
                    ],
                )
                for r in sorted(offers, key=lambda r: r.place)
            ],
            _fresh(drop_in, t),
            csv_url("drop_in"),
        )
    )
    if "occupancy" in figures:
        panels.append(_rooms(figures["occupancy"], before.get("occupancy"), year, t, csv_url))
    return panels


def _by_detail(
    figure: FigureOut,
    before: FigureOut | None,
    year: str,
    quartals: list[str],
    t: dict[str, str],
    csv_url: Callable[[str], str],
    key: str,
) -> Panel:
    """A count of the whole city per Quartal by its details (channels: first contacts and
    referrals, each with its channels below it; kinds of signal), against the previous year."""
    column = figure.columns[0].name
    city = _rows(figure, lambda r: r.place == CITY and r.topic == "*")
    value = {(r.period, r.detail): r.values[column] for r in city}
    label = {r.detail: r.detail_label or r.detail for r in city}
    # in the configured order (walk-in, phone ... before a code no group names)
    configured = [code for group, codes in figure.detail_groups.items() for code in (group, *codes)]
    rank = {code: i for i, code in enumerate(configured)}
    seen = {r.detail for r in city if r.detail != "*"}
    details = sorted(seen, key=lambda d: (rank.get(d, len(rank)), d))
    groups = [d for d in details if d in figure.detail_groups]
    last_year = {} if before is None else {
        r.detail: r.values[column] for r in _rows(before, lambda r: r.place == CITY and r.topic == "*")
        if r.period == str(before.year)
    }  # fmt: skip
    ordered: list[tuple[str, str]] = []  # (detail, label as shown: a channel indented below its group)
    for group in groups:
        ordered.append((group, label[group]))
        members = figure.detail_groups.get(group, [])
        ordered += [(d, "–\u00a0" + label[d]) for d in details if d in members]
    grouped = {d for g in groups for d in figure.detail_groups.get(g, [])}
    ordered += [(d, label[d]) for d in details if d not in grouped and d not in groups]
    ordered.append(("*", t[f"all_{key}"]))
    return Panel(
        key,
        figure.label,
        t[f"{key}_chart"].format(year=year),
        _bars([(t.get("bar_" + d, label[d]), value.get((year, d), 0)) for d in details if d not in groups]),
        [figure.detail_label or "", *quartals, year, t["previous_year"], t["change"]],
        [
            (
                shown_as,
                [
                    *(shown(value.get((p, d), 0)) for p in (*quartals, year)),
                    shown(last_year.get(d)),
                    change(value.get((year, d), 0), last_year.get(d)),
                ],
            )
            for d, shown_as in ordered
        ],
        _fresh(figure, t),
        csv_url(figure.figure),
    )


OUTCOMES = ("accepted", "completed", "rejected", "failed", "cancelled")


def _referrals(referrals: FigureOut, year: str, t: dict[str, str], csv_url: Callable[[str], str]) -> Panel:
    """The year's referrals per recipient (by kind: carriers, offices, teams) and what became of
    them; the chart: each outcome over all recipients."""
    rows = _rows(referrals, lambda r: r.period == year and r.topic == "*")
    value = {(r.place, r.detail): r.values["referrals"] for r in rows}
    label = {r.detail: r.detail_label or r.detail for r in rows}
    places = list(dict.fromkeys(r.place for r in rows))
    kinds = [p for p in places if p.startswith("kind:")]
    names = {r.place: r.place_label for r in rows}
    outcomes = [o for o in OUTCOMES if any(d == o for _, d in value)]
    grouped = {p for kind in kinds for p in referrals.place_groups.get(kind, [])}
    ordered = []  # each kind with its recipients below it, those the city does not list, all recipients
    for kind in kinds:
        ordered.append((kind, names[kind]))
        ordered += [(p, "–\u00a0" + names[p]) for p in places if p in referrals.place_groups.get(kind, [])]
    ordered += [(p, names[p]) for p in places if p not in kinds and p not in grouped and p != "targets"]
    ordered.append(("targets", names.get("targets", "targets")))
    return Panel(
        "referrals",
        referrals.label,
        t["referrals_chart"].format(year=year),
        _bars([(label.get(o, o), value.get(("targets", o), 0)) for o in outcomes]),
        [t["recipient"], *(label.get(o, o) for o in outcomes)],
        [(shown_as, [shown(value.get((p, o), 0)) for o in outcomes]) for p, shown_as in ordered],
        _fresh(referrals, t),
        csv_url("referrals"),
    )


def _follow_ups(
    follow_ups: FigureOut, year: str, quartals: list[str], t: dict[str, str], csv_url: Callable[[str], str]
) -> Panel:
    """Per Quartal, the city's share of follow-ups done in time; per quarter, the year's figures."""
    share = {r.period: r.values["on_time_share"] for r in _rows(follow_ups, lambda r: r.place == CITY)}
    quarters = _rows(follow_ups, lambda r: r.period == year)
    names = ["done", "on_time", "on_time_share", "overdue"]
    labels = {c.name: c.label for c in follow_ups.columns}
    return Panel(
        "followups",
        follow_ups.label,
        t["followups_chart"].format(year=year),
        _bars([(q.split("-")[1], None if share.get(q) is None else float(share[q] or 0) * 100) for q in quartals]),
        [t["quarter"], *(labels[n] for n in names)],
        [
            (r.place_label, [shown(r.values[n], share=n == "on_time_share") for n in names])
            for r in sorted(quarters, key=lambda r: (r.place != CITY, r.place_label))
        ],
        _fresh(follow_ups, t),
        csv_url("follow_ups"),
    )


def _rooms(
    occupancy: FigureOut, before: FigureOut | None, year: str, t: dict[str, str], csv_url: Callable[[str], str]
) -> Panel:
    """Each room's year: how much of its open time was booked (the rooms of every centre), beside
    the previous year's share."""
    rooms = _rows(occupancy, lambda r: r.period == year and r.detail != "*")
    names = ["booked_hours", "open_hours", "share"]
    labels = {c.name: c.label for c in occupancy.columns}
    last_year = (
        {}
        if before is None
        else {(r.place, r.detail): r.values["share"] for r in _rows(before, lambda r: r.period == str(before.year))}
    )

    # the chart: each centre over all its rooms (room names are too long for bars); the table: each room
    centres = _rows(occupancy, lambda r: r.period == year and r.detail == "*")
    share = [(r.place_label, None if r.values["share"] is None else float(r.values["share"]) * 100) for r in centres]
    return Panel(
        "rooms",
        occupancy.label,
        t["rooms_chart"].format(year=year),
        _bars(share),
        [t["room"], *(labels[n] for n in names), t["previous_year"]],
        [
            (
                r.place_label,
                [
                    *(shown(r.values[n], share=n == "share") for n in names),
                    shown(last_year.get((r.place, r.detail)), share=True),
                ],
            )
            for r in rooms
        ],
        _fresh(occupancy, t),
        csv_url("occupancy"),
    )
