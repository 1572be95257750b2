"""The finer figures as the public reads them: unmet need, early warning, neighbourly help and the
drop-in centres, from events as producers publish them, protected, with their freshness, as JSON,
CSV and on the dashboard. One reporting for the module's tests (events are published once)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import nats
import pytest

from qn_contracts.intake import FollowUpDone, FollowUpOverdue, HelpRequested, ReferralStatusChanged, SignalRaised
from qn_contracts.matching import AssignmentCompleted, MatchAccepted
from qn_contracts.scheduling import (
    BookingCancelled,
    OccurrenceAttended,
    OfferPublished,
    Room,
    RoomOccupancyChanged,
    SiteUpdated,
)
from qn_infra.clock import TickingClock
from qn_reporting.app import create_app
from qn_reporting.breakdowns.handlers import ProtectedBreakdowns, get_figure
from qn_reporting.config import ReportingSettings
from qn_reporting.disclosure.perturb import Method, Publication
from qn_reporting.tables.domain import PlaceLevel, TimeLevel
from qn_reporting.tables.handlers import ProtectedCubes, get_table
from qn_testkit.days import reference_day
from qn_testkit.services import running_app
from qn_testkit.waiting import eventually

from .conftest import Reporting

pytestmark = pytest.mark.integration

YEAR = 2025
MONDAY = datetime.fromisoformat(f"{YEAR}-01-06T10:00:00+01:00")  # ISO week 2
OFFER = uuid.uuid4()


def _referral(
    quarter: str, reason: str | None, status: str = "rejected", target: str = "awo-dessau"
) -> ReferralStatusChanged:
    return ReferralStatusChanged(
        referral_id=uuid.uuid4(),
        concern_id=uuid.uuid4(),
        quarter_id=quarter,
        target_id=target,
        topics=["alter"],
        from_status="requested",
        to_status=status,
        reason=reason,
    )


def _events() -> list[tuple[Any, datetime]]:
    march = datetime.fromisoformat(f"{YEAR}-03-10T10:00:00+01:00")
    events: list[tuple[Any, datetime]] = []
    for quarter, reason, n in (
        ("innenstadt-sued", "no_capacity", 6),
        ("innenstadt-sued", "not_eligible", 4),
        ("innenstadt-nord", "no_capacity", 5),
        ("innenstadt-nord", "not_eligible", 3),
        ("rosslau", "not_eligible", 5),
        ("rosslau", "no_capacity", 4),
    ):
        events += [
            (_referral(quarter, reason, "failed" if quarter == "rosslau" else "rejected"), march) for _ in range(n)
        ]
    events += [(_referral("ziebigk", "out_of_area"), march)]
    # accepted by the youth office four times, by the DRK once (a 1: hidden)
    events += [(_referral("innenstadt-sued", None, "accepted", "jugendamt-asd"), march) for _ in range(4)]
    events += [(_referral("rosslau", None, "accepted", "drk-dessau"), march)]
    # signals: Ziebigk 3 a week, then 12 in week 12; Roßlau 3 every week
    for week in range(11):
        at = MONDAY + timedelta(weeks=week)
        for quarter, n in (("ziebigk", 12 if week == 10 else 3), ("rosslau", 3)):
            events += [
                (
                    SignalRaised(
                        signal_id=uuid.uuid4(), quarter_id=quarter, signal_type="loneliness", raised_by="staff"
                    ),
                    at,
                )
                for _ in range(n)
            ]
    for i in range(5):
        request = uuid.uuid4()
        events.append(
            (
                HelpRequested(
                    help_request_id=request,
                    concern_id=uuid.uuid4(),
                    quarter_id="innenstadt-sued",
                    help_kind="shopping",
                    skills=[],
                    languages=["de"],
                    urgency="soon",
                ),
                march,
            )
        )
        if i < 4:
            match = uuid.uuid4()
            events.append(
                (
                    MatchAccepted(
                        match_id=match,
                        help_request_id=request,
                        volunteer_ref=uuid.uuid4(),
                        quarter_id="innenstadt-sued",
                        help_kind="shopping",
                        minutes_to_match=30 + 10 * i,
                    ),
                    march,
                )
            )
            events.append(
                (
                    AssignmentCompleted(
                        match_id=match,
                        help_request_id=request,
                        volunteer_ref=uuid.uuid4(),
                        quarter_id="innenstadt-sued",
                        help_kind="shopping",
                        hours=Decimal("1.5"),
                    ),
                    march,
                )
            )
    events.append(
        (
            SiteUpdated(
                site_id="franztreff",
                name="Franztreff",
                quarter_id="innenstadt-sued",
                rooms=[Room(room_id="kueche", name="Küche", kind="kitchen", capacity=8)],
                opening_hours=[],
            ),
            MONDAY,
        )
    )
    events.append(
        (
            OfferPublished(
                offer_id=OFFER,
                site_id="franztreff",
                quarter_id="innenstadt-sued",
                title="Mittagstisch",
                topics=["alter"],
                starts_at=MONDAY,
                duration_minutes=120,
            ),
            MONDAY,
        )
    )
    for week in range(4):  # the year before: 4 lunches of 10 (the trend's base)
        start = MONDAY - timedelta(weeks=52) + timedelta(weeks=week)
        attended = OccurrenceAttended(
            offer_id=OFFER,
            site_id="franztreff",
            quarter_id="innenstadt-sued",
            occurrence_start=start,
            attendance=10,
            topics=["alter"],
        )
        events.append((attended, start))
    for week in range(4):
        start = MONDAY + timedelta(weeks=week)
        events.append(
            (
                OccurrenceAttended(
                    offer_id=OFFER,
                    site_id="franztreff",
                    quarter_id="innenstadt-sued",
                    occurrence_start=start,
                    attendance=10 + week,
                    topics=["alter"],
                ),
                start,
            )
        )
    events.append(
        (
            BookingCancelled(
                booking_id=uuid.uuid4(),
                site_id="franztreff",
                room_id="kueche",
                occurrence_start=MONDAY + timedelta(weeks=4),
                offer_id=OFFER,
            ),
            MONDAY,
        )
    )
    events += _occupancy()
    events += _follow_ups()
    return events


def _follow_ups() -> list[tuple[Any, datetime]]:
    """Innenstadt-Süd: 4 done in time, 2 late, 3 overdue; Roßlau: 5 in time; Ziebigk: 1 late."""
    april = datetime.fromisoformat(f"{YEAR}-04-14T10:00:00+02:00")

    def done(quarter: str, on_time: bool) -> FollowUpDone:
        return FollowUpDone(
            follow_up_id=uuid.uuid4(),
            quarter_id=quarter,
            team_id="team-innenstadt",
            outcome="contacted",
            on_time=on_time,
        )

    found: list[tuple[Any, datetime]] = []
    for quarter, in_time, late in (("innenstadt-sued", 4, 2), ("rosslau", 5, 0), ("ziebigk", 0, 1)):
        found += [(done(quarter, True), april) for _ in range(in_time)]
        found += [(done(quarter, False), april) for _ in range(late)]
    overdue = FollowUpOverdue(
        follow_up_id=uuid.uuid4(), quarter_id="innenstadt-sued", team_id="team-innenstadt", due_at=april
    )
    return found + [(overdue.model_copy(update={"follow_up_id": uuid.uuid4()}), april) for _ in range(3)]


def _room_week(room: str, week: int, booked: int, opened: int) -> RoomOccupancyChanged:
    monday = (MONDAY + timedelta(weeks=week - 2)).date()
    return RoomOccupancyChanged(
        site_id="franztreff",
        room_id=room,
        quarter_id="innenstadt-sued",
        week=f"{YEAR}-W{week:02d}",
        week_start=monday,
        minutes_booked=booked,
        minutes_open=opened,
    )


def _occupancy() -> list[tuple[Any, datetime]]:
    """The kitchen's week 2 announced three times: the latest by event time counts, also when an
    older announcement arrives after it."""
    return [
        (_room_week("kueche", 2, 240, 2400), MONDAY),
        (_room_week("kueche", 2, 360, 2400), MONDAY + timedelta(hours=2)),
        (_room_week("kueche", 2, 600, 2400), MONDAY + timedelta(hours=1)),  # late, and older
        (_room_week("gruppenraum", 2, 600, 2400), MONDAY),
        (_room_week("kueche", 3, 120, 1920), MONDAY + timedelta(weeks=1)),  # a holiday in week 3
    ]


async def _publish_all(url: str, messages: list[Any]) -> None:
    connection = await nats.connect(url)
    try:
        js = connection.jetstream()
        for message in messages:
            await js.publish(message.subject, message.body, headers=message.headers)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def reporting(module_service_settings: Any, tokens: Any) -> Iterator[Reporting]:
    settings = module_service_settings(ReportingSettings, consumer_backoff_seconds=(0.2, 0.5))
    clock = TickingClock(reference_day())
    app = create_app(settings, clock=clock)
    with running_app(app, migrations_of="reporting", database_url=settings.database_url) as client:
        eventually(lambda: client.get("/readyz").status_code == 200, what="reporting ready")
        running = Reporting(client, settings.nats_url, tokens, settings, clock)
        events = _events()
        asyncio.run(_publish_all(running.nats_url, [running.wire(e, at.isoformat()) for e, at in events]))
        running.wait_for_total("booking.cancelled", 1)
        running.wait_for_total("signal.raised", 75)
        running.wait_for_total("assignment.completed", 4)
        running.wait_for_total("referral.status_changed", 33)
        running.wait_for_total("occurrence.attended", 8)
        running.wait_for_total("room.occupancy_changed", 5)
        running.wait_for_total("follow_up.done", 12)
        running.wait_for_total("follow_up.overdue", 3)
        yield running


def figure(reporting: Reporting, name: str, **params: str) -> dict[str, Any]:
    response = reporting.client.get(f"/figures/{name}", params={"year": str(YEAR), **params})
    assert response.status_code == 200, response.text
    return response.json()


def row(found: dict[str, Any], **wanted: str) -> dict[str, Any]:
    [match] = [r for r in found["rows"] if all(r[k] == v for k, v in wanted.items())]
    return match["values"]


def test_unmet_need_hides_the_single_declined_referral_and_says_how_fresh_and_protected_it_is(reporting) -> None:
    unmet = figure(reporting, "unmet_need")
    assert unmet["protection"]["minimum"] == 3 and unmet["protection"]["hidden_cells_in_year"] > 0
    assert all(r["values"]["referrals"] is None for r in unmet["rows"] if r["detail"] == "out_of_area")
    # which complements are hidden is the office's choice; what is shown is the true value
    truth = {("city", "*"): 28, ("innenstadt-sued", "no_capacity"): 6, ("rosslau", "not_eligible"): 5}
    shown = 0
    for r in unmet["rows"]:
        if r["values"]["referrals"] is not None and (r["place"], r["detail"]) in truth:
            assert r["values"]["referrals"] == truth[(r["place"], r["detail"])], r
            shown += 1
    assert shown > 0
    assert unmet["freshness"]["latest_event_time"].startswith(f"{YEAR}-03-10T09:00")
    assert unmet["freshness"]["events"] == 33, "the status changes: 28 declined or failed, 5 accepted"


def test_referrals_by_recipient_say_what_became_of_them_and_hide_the_single_one(reporting) -> None:
    referrals = figure(reporting, "referrals")
    assert referrals["detail_label"] == "Ausgang"
    awo = {r["detail"]: r["values"]["referrals"] for r in referrals["rows"] if r["place"] == "awo-dessau"}
    assert (awo["rejected"] == 19 and awo["failed"] == 9) or awo["rejected"] is None
    labels = {r["place"]: r["place_label"] for r in referrals["rows"]}
    assert labels["awo-dessau"] == "AWO Kreisverband Dessau" and labels["kind:carrier"] == "Träger"
    youth_office = row(referrals, period=f"{YEAR}-Q1", place="jugendamt-asd", topic="*", detail="accepted")
    assert youth_office["referrals"] in (4, None)
    drk = row(referrals, period=str(YEAR), place="drk-dessau", topic="*", detail="accepted")
    assert drk["referrals"] is None, "a single accepted referral is not shown"
    # the declined and failed referrals of all recipients are the unmet need of the whole city
    everyone = {
        r["detail"]: r["values"]["referrals"]
        for r in referrals["rows"]
        if r["period"] == str(YEAR) and r["place"] == "targets"
    }
    unmet = row(figure(reporting, "unmet_need"), period=str(YEAR), place="city", topic="*", detail="*")
    assert everyone["@unmet"] == unmet["referrals"] == 28
    assert {r["detail_label"] for r in referrals["rows"]} >= {"abgelehnt oder gescheitert", "angenommen"}


def test_the_early_warning_flags_the_quarter_whose_week_lies_far_above_its_own_mean(reporting) -> None:
    warning = figure(reporting, "early_warning", lang="en")
    assert [f["place"] for f in warning["flagged"]] == ["ziebigk"]
    [week] = warning["flagged"][0]["weeks"]
    assert week["week"] == f"{YEAR}-W12" and week["signals"] == 12 and week["z"] > 3
    assert row(warning, period=f"{YEAR}-W12", place="city", topic="*", detail="*") == {"signals": 15}


def test_signals_by_kind_per_quarter_are_the_signal_tables_cells(reporting) -> None:
    signals = figure(reporting, "signals", lang="en")
    ziebigk = row(signals, period=f"{YEAR}-Q1", place="ziebigk", topic="*", detail="loneliness")
    assert ziebigk == {"signals": 42}
    assert {r["detail_label"] for r in signals["rows"]} == {None, "Loneliness"}
    table = reporting.client.get(
        "/tables/signal.raised", params={"year": str(YEAR), "time": "quartal", "place": "quarter", "details": "true"}
    ).json()
    in_table = {(r["period"], r["place"], r["detail"]): r["value"] for r in table["rows"]}
    in_figure = {(r["period"], r["place"], r["detail"]): r["values"]["signals"] for r in signals["rows"]}
    assert in_figure.keys() & in_table.keys() and all(
        in_figure[k] == in_table[k] for k in in_figure.keys() & in_table.keys()
    )
    page = reporting.client.get("/dashboard", params={"year": str(YEAR)}).text
    panel = page[page.index("Frühwarnsignale nach Art und Quartier") :]
    assert '<th scope="row">Einsamkeit</th><td>75</td>' in panel, "Ziebigk's 42 and Roßlau's 33, in the first Quartal"


def test_neighbourly_help_gives_the_matched_share_and_hours_and_drop_in_centres_their_attendance(reporting) -> None:
    helps = figure(reporting, "neighbourly_help")
    assert row(helps, period=str(YEAR), place="innenstadt-sued", topic="*", detail="shopping") == {
        "requested": 5,
        "matched": 4,
        "unmatched": 0,
        "assignments": 4,
        "hours": 6.0,
        "timed": 4,
        "minutes": 180.0,
        "matched_share": 0.8,
        "mean_minutes_to_match": 45.0,
    }
    # the requests by kind are the help.requested tables' cells: hidden where the tables hide them
    table = reporting.client.get(
        "/tables/help.requested", params={"year": str(YEAR), "time": "quartal", "place": "quarter", "details": "true"}
    ).json()
    assert table["detail_label"] == "Art der Hilfe"
    in_table = {(r["period"], r["place"], r["detail"]): r["value"] for r in table["rows"]}
    in_figure = {(r["period"], r["place"], r["detail"]): r["values"]["requested"] for r in helps["rows"]}
    shared = set(in_table) & set(in_figure)
    assert (f"{YEAR}-Q1", "innenstadt-sued", "shopping") in shared
    assert {k: (in_figure[k], in_table[k]) for k in shared if in_figure[k] != in_table[k]} == {}
    drop_in = figure(reporting, "drop_in")
    offer = row(drop_in, period=str(YEAR), place=f"franztreff/{OFFER}", topic="*", detail="*")
    # one cancellation is below the minimum: "." -- the attendance and its mean are shown
    assert offer == {"held": 4, "cancelled": None, "attendance": 46, "mean_attendance": 11.5}
    assert row(drop_in, period=f"{YEAR}-W02", place="franztreff", topic="*", detail="*")["attendance"] == 10
    names = {r["place_label"] for r in drop_in["rows"]}
    assert "Franztreff: Mittagstisch" in names and "Franztreff" in names, "named as published"


def test_the_rooms_occupancy_is_what_scheduling_last_reported_per_week_site_and_year(reporting) -> None:
    occupancy = figure(reporting, "occupancy")
    kitchen = row(occupancy, period=f"{YEAR}-W02", place="franztreff", detail="kueche")
    assert kitchen == {"booked_hours": 6.0, "open_hours": 40.0, "share": 0.15}
    site_week = row(occupancy, period=f"{YEAR}-W02", place="franztreff", detail="*")
    assert site_week == {"booked_hours": 16.0, "open_hours": 80.0, "share": 0.2}
    year = row(occupancy, period=str(YEAR), place="franztreff", detail="kueche")
    assert year == {"booked_hours": 8.0, "open_hours": 72.0, "share": 0.111}
    # a room by its public name where the site's announcement named it, else by its id
    assert {r["place_label"] for r in occupancy["rows"]} == {
        "Franztreff",
        "Franztreff: Küche",
        "Franztreff: gruppenraum",
    }
    assert (
        occupancy["protection"]["hidden_cells_in_year"] == 0 and "ohne Geheimhaltung" in occupancy["protection"]["note"]
    )
    assert occupancy["freshness"]["events"] == 5
    csv = reporting.client.get("/figures/occupancy", params={"year": str(YEAR), "format": "csv", "lang": "de"})
    assert csv.status_code == 200 and ";kueche;6;40;0,15\r\n" in csv.text, csv.text[:400]


def test_follow_ups_say_how_many_were_done_in_time_and_hide_the_quarter_with_one(reporting) -> None:
    follow_ups = figure(reporting, "follow_ups")
    assert row(follow_ups, period=str(YEAR), place="city", topic="*", detail="*") == {
        "done": 12,
        "on_time": 9,
        "overdue": 3,
        "on_time_share": 0.75,
    }
    ziebigk = row(follow_ups, period=str(YEAR), place="ziebigk", topic="*", detail="*")
    assert ziebigk["done"] is None and ziebigk["on_time_share"] is None  # one late task: "."
    rosslau = row(follow_ups, period=f"{YEAR}-Q2", place="rosslau", topic="*", detail="*")
    assert rosslau["done"] in (5, None) and rosslau["on_time"] in (5, None)  # shown true, or hidden
    assert follow_ups["freshness"]["events"] == 15


def test_every_figure_comes_as_csv_for_german_spreadsheets(reporting) -> None:
    response = reporting.client.get("/figures/unmet_need", params={"year": str(YEAR), "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffZeitraum;Ort;Bezeichnung;Thema;Merkmal;Merkmal (Bezeichnung);Weiterleitungen\r\n")
    assert ";out_of_area;nicht zuständig (Gebiet);.\r\n" in text and "Stand: Ereignisse bis" in text
    helps = reporting.client.get("/figures/neighbourly_help", params={"year": str(YEAR), "format": "csv"}).text
    assert ";0,8;45\r\n" in helps, "decimal comma"
    referrals = reporting.client.get("/figures/referrals", params={"year": str(YEAR), "format": "csv"}).text
    assert "Merkmal;Merkmal (Bezeichnung);Weiterleitungen\r\n" in referrals
    youth_office = "2025;jugendamt-asd;Jugendamt – Allgemeiner Sozialer Dienst;*;accepted;angenommen;"
    assert f"{youth_office}4\r\n" in referrals or f"{youth_office}.\r\n" in referrals, "shown true, or hidden"


def test_the_dashboard_shows_the_finer_figures_with_a_table_beside_each_chart(reporting) -> None:
    page = reporting.client.get("/dashboard", params={"year": str(YEAR)}).text
    for title in ("Ungedeckter Bedarf", "Frühwarnsignale je Woche", "Nachbarschaftshilfe", "Angebotstreffs"):
        assert title in page
    # the referrals per recipient, grouped by kind: the AWO below the carriers
    referrals = page[page.index("Weiterleitungen nach Empfänger und Ausgang") :]
    rows = [f'<th scope="row">{name}</th>' for name in ("Träger", "–\u00a0AWO Kreisverband Dessau", "alle Empfänger")]
    carriers, awo, everyone = (referrals.index(row) for row in rows)
    assert carriers < awo < everyone
    assert "Nachsorge 2025: Anteil rechtzeitig erledigt" in page and "75 %" in page
    assert "Auslastung der Treffs 2025" in page and "Franztreff: Küche" in page and "11 %" in page
    assert "Auffällig: Ziebigk" in page and "80 %" in page
    assert "figures/drop_in?year=2025&amp;format=csv&amp;lang=de" in page
    # the Mittagstisch had 46 guests this year against 40 the year before
    assert "Vorjahr" in page and "<td>40</td>" in page and "+15 %" in page


def test_a_wrong_figure_or_year_gets_422_naming_it(reporting) -> None:
    wrong = reporting.client.get("/figures/everything", params={"year": "2025"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "figure"
    assert reporting.client.get("/figures/drop_in").json()["errors"][0]["field"] == "year"


def test_rounding_and_the_cell_key_change_only_shown_values_and_the_same_cell_always_alike(reporting) -> None:
    state = reporting.client.app.state
    city = state.protected_breakdowns.city
    plain = ProtectedBreakdowns(city, Publication())
    rounded = ProtectedBreakdowns(city, Publication(Method.ROUNDING, 3))
    keyed = ProtectedBreakdowns(city, Publication(Method.CELL_KEY, 3, b"the office's secret key"))
    with state.runtime.sessions() as session:
        base = get_figure(plain, session, name="early_warning", year=YEAR)
        by_five = get_figure(rounded, session, name="early_warning", year=YEAR)
        noisy, again = (get_figure(keyed, session, name="early_warning", year=YEAR) for _ in range(2))
        table = get_table(
            ProtectedCubes(city, 3, Publication(Method.CELL_KEY, 3, b"the office's secret key")),
            session,
            metric="signal.raised",
            year=YEAR,
            time=TimeLevel.YEAR,
            place=PlaceLevel.CITY,
            by_topic=False,
        )
    pairs = list(zip(base.rows, by_five.rows, noisy.rows, again.rows, strict=True))
    assert pairs and by_five.method.endswith("+rounding_5") and noisy.method.endswith("+cell_key")
    for b, r, n, a in pairs:
        value = b.values["signals"]
        if value is None:
            assert r.values["signals"] is n.values["signals"] is None, "a hidden cell stays hidden"
            continue
        assert r.values["signals"] % 5 == 0 and abs(r.values["signals"] - value) <= 2
        assert abs(n.values["signals"] - value) <= 2 and n.values == a.values, "the same noise every time"
    assert {n.values["signals"] for *_, n, _ in pairs} != {b.values["signals"] for b, *_ in pairs}
    assert [c.value for c in table.cells] != [None] and table.method.endswith("+cell_key")
    # the city's signals of the year are one count, in the table and in the figure: one noise
    [city_year] = [n for *_, n, _ in pairs if (n.time, n.place, n.topic, n.detail) == (str(YEAR), "@city", "*", "@all")]
    assert city_year.values["signals"] == table.cells[0].value
