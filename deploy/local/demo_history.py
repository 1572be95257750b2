"""A year of history for the demo city, so that reporting's dashboard and period reports show
figures, trends and a flagged quarter instead of a page of ".".

Dessau-Roßlau has about 75,000 residents. The history is what its neighbourhood teams, carriers
and drop-in centres might produce in the twelve months before this one: about 4,000 concerns,
1,600 referrals with their outcomes (accepted and done, or declined for want of capacity, out of
area, not eligible), 900 early-warning signals with their follow-ups, 450 requests for
neighbourly help with matches and hours, and the attendance of the two drop-in centres' weekly
offers -- about 16,000 events, seeded, so every first `make run` gets the same figures. In the
last full Quartal, loneliness signals in Ziebigk rise week by week: the early warning's case.

How it reaches reporting, and only reporting: the events are published as their producers
would publish them (CloudEvents headers, `Nats-Msg-Id`) into a temporary broker of their own,
and reporting's own `rebuild` counts them from there into its database. Intake and matching
never see them -- a help request of the past must not become a task for today's volunteers --
and no service's database is written by anything but that service. Done once, on a fresh data
directory (before the services start): `var/demo-history.json` records it. The history lives
in reporting's aggregates only; a later `python -m qn_reporting rebuild` against the real
broker forgets it (delete var/ for a fresh demo).

`python deploy/local/demo_history.py --count` prints how many events of each kind it makes."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import time
import tomllib
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from qn_contracts import Event, EventMeta, encode
from qn_contracts.intake import (
    ConcernRecorded,
    FollowUpDone,
    FollowUpDue,
    FollowUpOverdue,
    HelpRequested,
    ReferralRequested,
    ReferralStatusChanged,
    SignalRaised,
)
from qn_contracts.matching import AssignmentCompleted, HelpRequestUnmatched, MatchAccepted, MatchProposed
from qn_contracts.scheduling import OccurrenceAttended

DEMO_CITY = Path(__file__).resolve().parents[1] / "demo-city"
BERLIN = ZoneInfo("Europe/Berlin")
SEED = 75_000
MARKER = "demo-history.json"

QUARTERS = {  # share of the city's concerns, after the quarters' sizes
    "innenstadt-sued": 0.27,
    "innenstadt-mitte": 0.19,
    "innenstadt-nord": 0.13,
    "ziebigk": 0.14,
    "rosslau": 0.27,
}
TEAMS = {
    "innenstadt-sued": "team-innenstadt",
    "innenstadt-mitte": "team-innenstadt",
    "innenstadt-nord": "team-innenstadt",
    "ziebigk": "team-nord",
    "rosslau": "team-rosslau",
}
TOPICS = {
    "alter": 18,
    "einsamkeit": 12,
    "pflege": 10,
    "wohnen": 10,
    "existenzsicherung": 10,
    "schulden": 8,
    "gesundheit": 8,
    "kinder_jugend_familie": 6,
    "migration_integration": 5,
    "behinderung_teilhabe": 4,
    "sucht": 3,
    "nachbarschaftshilfe": 3,
    "digitale_hilfe": 2,
    "sonstiges": 1,
}
TARGETS = {  # topic -> (target, kind) after the demo city's routing table, roughly
    "kinder_jugend_familie": ("jugendamt-asd", "office"),
    "schulden": ("caritas-dessau", "carrier"),
    "existenzsicherung": ("sozialamt", "office"),
    "pflege": ("pflegestuetzpunkt", "office"),
    "sucht": ("diakonie-dessau", "carrier"),
    "migration_integration": ("awo-dessau", "carrier"),
}
CONCERNS_PER_MONTH = 340
SEASON = {1: 1.1, 2: 1.05, 3: 1.0, 4: 0.95, 5: 0.9, 6: 0.9, 7: 0.75, 8: 0.75, 9: 1.0, 10: 1.05, 11: 1.1, 12: 1.0}
"""Fewer concerns in the summer holidays, more in the dark months."""
HELP_KINDS = ("shopping", "escort", "company", "walks", "digital_help", "small_repairs")


@dataclass(frozen=True)
class Stamped:
    event: Event
    at: datetime


class History:
    """The events of `months` months ending with the month before `today`, in time order."""

    def __init__(self, today: date, *, months: int = 12, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        first = date(today.year, today.month, 1)
        for _ in range(months):
            first = (first - timedelta(days=1)).replace(day=1)
        self.first, self.months = first, months
        # the last full Quartal before this month: its weeks carry the rising signals
        self.rising = _quartal_start(today.replace(day=1) - timedelta(days=1), complete_before=today)

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, day: date) -> datetime:
        local = datetime(day.year, day.month, day.day, self.rng.randint(8, 17), self.rng.randrange(60), tzinfo=BERLIN)
        return local.astimezone(UTC)

    def events(self) -> list[Stamped]:
        out: list[Stamped] = []
        for month_start in self._months():
            days = [d for d in _days(month_start) if d.weekday() < 5]
            out += self._concerns(month_start, days)
            out += self._help(days)
        out += self._signals()
        out += self._attendance()
        # an outcome or follow-up that would come after the window has not happened yet
        end = datetime.combine(_month_after(self.first, self.months), datetime.min.time(), BERLIN)
        return sorted((s for s in out if s.at < end), key=lambda s: s.at)

    def _months(self) -> Iterator[date]:
        month = self.first
        for _ in range(self.months):
            yield month
            month = (month + timedelta(days=32)).replace(day=1)

    def _topics(self) -> list[str]:
        picked = self.rng.choices(list(TOPICS), weights=list(TOPICS.values()), k=self.rng.choice((1, 1, 1, 2)))
        return sorted(set(picked))

    def _concerns(self, month: date, days: list[date]) -> list[Stamped]:
        rng, out = self.rng, []
        n = round(rng.gauss(CONCERNS_PER_MONTH * SEASON[month.month], 15))
        for _ in range(n):
            quarter = rng.choices(list(QUARTERS), weights=list(QUARTERS.values()))[0]
            topics, urgency, at = (
                self._topics(),
                rng.choice(("immediate", "soon", "soon", "plannable")),
                self.moment(rng.choice(days)),
            )
            concern = self.uid()
            out.append(
                Stamped(
                    ConcernRecorded(
                        concern_id=concern,
                        person_ref=self.uid(),
                        quarter_id=quarter,
                        channel=rng.choices(
                            (
                                "walk_in",
                                "phone",
                                "home_visit",
                                "kuemmerer_observation",
                                "online_form",
                                "discharge_notice",
                            ),
                            weights=(35, 30, 12, 10, 8, 5),
                        )[0],
                        topics=topics,
                        urgency=urgency,
                        age_band=rng.choices(("18_26", "27_64", "65_79", "80_plus", None), weights=(8, 35, 27, 20, 10))[
                            0
                        ],
                        team_id=TEAMS[quarter],
                    ),
                    at,
                )
            )
            routed = [t for t in topics if t in TARGETS]
            if routed and rng.random() < 0.85:
                out += self._referral(concern, quarter, topics, urgency, TARGETS[routed[0]], at)
        return out

    def _referral(
        self, concern: uuid.UUID, quarter: str, topics: list[str], urgency: str, target: tuple[str, str], at: datetime
    ) -> list[Stamped]:
        rng, referral = self.rng, self.uid()
        target_id, kind = target
        out = [
            Stamped(
                ReferralRequested(
                    referral_id=referral,
                    concern_id=concern,
                    quarter_id=quarter,
                    topics=topics,
                    urgency=urgency,
                    target_id=target_id,
                    target_kind=kind,
                    due_at=at + timedelta(days=5),
                    legal_basis="consent",
                ),
                at,
            )
        ]

        def status(after_days: float, old: str, new: str, reason: str | None = None) -> Stamped:
            return Stamped(
                ReferralStatusChanged(
                    referral_id=referral,
                    concern_id=concern,
                    quarter_id=quarter,
                    target_id=target_id,
                    topics=topics,
                    from_status=old,
                    to_status=new,
                    reason=reason,
                    decided_by="target" if new in ("accepted", "rejected") else None,
                ),
                at + timedelta(days=after_days),
            )

        # declines grow where carriers are short: debt counselling has a waiting list
        decline = 0.28 if target_id == "caritas-dessau" else 0.12
        if rng.random() < decline:
            reason = rng.choices(("no_capacity", "out_of_area", "not_eligible"), weights=(6, 2, 3))[0]
            out.append(status(rng.uniform(0.5, 4), "requested", "rejected", reason))
            return out
        out.append(status(rng.uniform(0.2, 3), "requested", "accepted"))
        if rng.random() < 0.9:
            done = rng.random() < 0.88
            out.append(
                status(
                    rng.uniform(7, 40),
                    "accepted",
                    "completed" if done else "failed",
                    "got_help" if done else rng.choice(("could_not_contact", "resident_declined")),
                )
            )
        return out

    def _help(self, days: list[date]) -> list[Stamped]:
        rng, out = self.rng, []
        for _ in range(round(rng.gauss(38, 5))):
            quarter = rng.choices(list(QUARTERS), weights=list(QUARTERS.values()))[0]
            kind, request, at = rng.choice(HELP_KINDS), self.uid(), self.moment(rng.choice(days))
            out.append(
                Stamped(
                    HelpRequested(
                        help_request_id=request,
                        concern_id=self.uid(),
                        person_ref=self.uid(),
                        quarter_id=quarter,
                        help_kind=kind,
                        skills=[kind],
                        languages=["de"],
                        urgency="soon",
                        age_band=rng.choice(("65_79", "80_plus", "27_64")),
                        asked_by="routing",
                    ),
                    at,
                )
            )
            if rng.random() < 0.14:
                out.append(
                    Stamped(
                        HelpRequestUnmatched(
                            help_request_id=request, quarter_id=quarter, help_kind=kind, reason="no_candidate"
                        ),
                        at + timedelta(hours=30),
                    )
                )
                continue
            volunteer, match = self.uid(), self.uid()
            proposed_at = at + timedelta(minutes=rng.randint(5, 240))
            out.append(
                Stamped(
                    MatchProposed(
                        match_id=match,
                        help_request_id=request,
                        volunteer_ref=volunteer,
                        quarter_id=quarter,
                        help_kind=kind,
                        score=round(rng.uniform(0.5, 1), 2),
                        attempt=1,
                        expires_at=proposed_at + timedelta(hours=24),
                    ),
                    proposed_at,
                )
            )
            accepted_at = proposed_at + timedelta(minutes=rng.randint(20, 600))
            out.append(
                Stamped(
                    MatchAccepted(
                        match_id=match,
                        help_request_id=request,
                        volunteer_ref=volunteer,
                        quarter_id=quarter,
                        help_kind=kind,
                    ),
                    accepted_at,
                )
            )
            hours = Decimal(rng.choice((1, 1.5, 2, 2, 3, 4, 6))).quantize(Decimal("0.5"))
            out.append(
                Stamped(
                    AssignmentCompleted(
                        match_id=match,
                        help_request_id=request,
                        volunteer_ref=volunteer,
                        quarter_id=quarter,
                        help_kind=kind,
                        hours=hours,
                        hours_source="app",
                    ),
                    accepted_at + timedelta(days=rng.randint(2, 14)),
                )
            )
        return out

    def _signals(self) -> list[Stamped]:
        """About 17 signals a week across the city; in the rising Quartal, Ziebigk's loneliness
        signals climb from 2 to 12 a week."""
        rng, out = self.rng, []
        day = self.first - timedelta(days=self.first.weekday())
        end = _month_after(self.first, self.months)
        while day < end:
            weekly: Counter[str] = Counter(
                {q: max(0, round(rng.gauss(17 * share, 1.5))) for q, share in QUARTERS.items()}
            )
            if self.rising <= day < _month_after(self.rising, 3):
                weekly["ziebigk"] += 2 + round(10 * (day - self.rising).days / 91)
            for quarter, n in weekly.items():
                for _ in range(n):
                    when = day + timedelta(days=rng.randrange(7))
                    if not self.first <= when < end:
                        continue
                    out += self._signal(quarter, when)
            day += timedelta(days=7)
        return out

    def _signal(self, quarter: str, day: date) -> list[Stamped]:
        rng, signal, at = self.rng, self.uid(), self.moment(day)
        kind = rng.choices(
            ("loneliness", "no_contact", "neglect", "discharge_without_follow_up", "debt_crisis", "housing_loss_risk"),
            weights=(35, 20, 10, 15, 10, 10),
        )[0]
        if quarter == "ziebigk" and self.rising <= day < _month_after(self.rising, 3):
            kind = "loneliness"
        follow_up = self.uid()
        out = [
            Stamped(
                SignalRaised(
                    signal_id=signal,
                    quarter_id=quarter,
                    signal_type=kind,
                    raised_by=rng.choice(("staff", "kuemmerer", "rule")),
                ),
                at,
            ),
            Stamped(
                FollowUpDue(
                    follow_up_id=follow_up,
                    quarter_id=quarter,
                    team_id=TEAMS[quarter],
                    due_at=at + timedelta(days=7),
                    signal_id=signal,
                    reason=kind,
                ),
                at,
            ),
        ]
        due = at + timedelta(days=7)
        done_at = at + timedelta(days=rng.uniform(1, 10)) if rng.random() < 0.9 else None
        if done_at is None or done_at > due:  # intake escalates a task not done by its due date
            overdue = FollowUpOverdue(follow_up_id=follow_up, quarter_id=quarter, team_id=TEAMS[quarter], due_at=due)
            out.append(Stamped(overdue, due + timedelta(hours=1)))
        if done_at is not None:
            out.append(
                Stamped(
                    FollowUpDone(
                        follow_up_id=follow_up,
                        quarter_id=quarter,
                        team_id=TEAMS[quarter],
                        outcome="contacted",
                        on_time=done_at <= due,
                    ),
                    done_at,
                )
            )
        return out

    def _attendance(self) -> list[Stamped]:
        """Each offer of `offers.toml`, weekly on its days (every other week, or once a month, as
        its rule says), with the attendance its coordinator might count."""
        raw = tomllib.loads((DEMO_CITY / "offers.toml").read_text(encoding="utf-8"))
        sites = tomllib.loads((DEMO_CITY / "sites.toml").read_text(encoding="utf-8"))
        quarter_of = {site["id"]: site["quarter_id"] for site in sites.get("sites", [])}
        rng, out = self.rng, []
        end = _month_after(self.first, self.months)
        for offer in raw.get("offers", []):
            offer_id, capacity = self.uid(), int(offer.get("capacity", 8))
            rule = dict(part.split("=", 1) for part in str(offer["rrule"]).split(";"))
            weekdays = [
                ("MO", "TU", "WE", "TH", "FR", "SA", "SU").index(d[-2:]) for d in rule.get("BYDAY", "MO").split(",")
            ]
            interval = int(rule.get("INTERVAL", "1"))
            monthly = rule.get("FREQ") == "MONTHLY"
            hour, minute = (int(x) for x in str(offer.get("start_time", "10:00")).split(":")[:2])
            day, week = self.first, 0
            while day < end:
                held = day.weekday() in weekdays and (week % interval == 0) and (not monthly or day.day <= 7)
                summer = day.month == 8 and day.day <= 14  # summer break
                if held and not summer:
                    came = max(0, min(capacity, round(rng.gauss(capacity * 0.65, capacity * 0.15))))
                    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)
                    new = min(came, round(came * rng.uniform(0.05, 0.2)))
                    out.append(
                        Stamped(
                            OccurrenceAttended(
                                offer_id=offer_id,
                                site_id=offer["site_id"],
                                quarter_id=quarter_of.get(offer["site_id"], "innenstadt-sued"),
                                occurrence_start=start,
                                attendance=came,
                                topics=list(offer.get("topics", [])),
                                new_visitors=new,
                                returning_visitors=came - new,
                                capacity=capacity,
                                kind=offer.get("kind"),
                            ),
                            (start + timedelta(hours=2)).astimezone(UTC),
                        )
                    )
                if day.weekday() == 6:
                    week += 1
                day += timedelta(days=1)
        return out


def _days(month: date) -> list[date]:
    following = _month_after(month, 1)
    return [month + timedelta(days=i) for i in range((following - month).days)]


def _month_after(month: date, n: int) -> date:
    for _ in range(n):
        month = (month + timedelta(days=32)).replace(day=1)
    return month


def _quartal_start(day: date, *, complete_before: date) -> date:
    """The first day of the last Quartal that ended before `complete_before`."""
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    while _month_after(start, 3) > complete_before:
        start = date(start.year - 1, 10, 1) if start.month == 1 else date(start.year, start.month - 3, 1)
    return start


def messages(history: list[Stamped], rng: random.Random) -> list[tuple[str, bytes, dict[str, str]]]:
    """The events as their producers put them on the wire, with seeded ids."""
    out = []
    for stamped in history:
        meta = EventMeta.for_event(
            stamped.event, event_id=uuid.UUID(int=rng.getrandbits(128), version=4), time=stamped.at
        )
        wire = encode(stamped.event, meta)
        out.append((wire.subject, wire.body, wire.headers))
    return out


async def _publish(url: str, wire: list[tuple[str, bytes, dict[str, str]]]) -> None:
    import nats

    from qn_infra.messaging import ensure_streams

    connection = await nats.connect(url)
    try:
        js = connection.jetstream(timeout=30, publish_async_max_pending=4096)
        await ensure_streams(js)
        for start in range(0, len(wire), 2000):
            pending = [await js.publish_async(s, b, headers=h) for s, b, h in wire[start : start + 2000]]
            for ack in await asyncio.gather(*pending):
                if ack.duplicate:
                    raise RuntimeError(f"a history event was stored twice: {ack}")
    finally:
        await connection.close()


def generate(var: Path, reporting_env: dict[str, str], repo: Path, today: date) -> str:
    """Counts the history into reporting's database via a temporary broker; returns a line for
    the user. Call before the services start, on a fresh data directory only."""
    from qn_infra.embedded_broker import NatsServer

    started = time.monotonic()
    history = History(today).events()
    wire = messages(history, random.Random(SEED + 1))
    scratch = var / "demo-history-broker"
    server = NatsServer(scratch).start()
    try:
        asyncio.run(_publish(server.url, wire))
        env = {**reporting_env, "QN_REPORTING_NATS_URL": server.url, "QN_REPORTING_LOG_LEVEL": "WARNING"}
        subprocess.run(
            [sys.executable, "-m", "qn_reporting", "rebuild", "--json"],
            env=env,
            cwd=repo,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    finally:
        server.stop()
        _remove_tree(scratch)
    kinds = Counter(s.event.spec.type.split(".")[2] + "." + s.event.spec.type.split(".")[3] for s in history)
    seconds = time.monotonic() - started
    (var / MARKER).write_text(
        json.dumps(
            {
                "events": len(history),
                "first_month": str(History(today).first),
                "seconds": round(seconds, 1),
                "kinds": kinds,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return f"Demo history: {len(history):,} events of the last 12 months counted into reporting in {seconds:.0f} s."


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str]) -> int:
    history = History(date.today()).events()
    kinds = Counter(s.event.spec.type for s in history)
    for kind, n in sorted(kinds.items()):
        print(f"{n:>7,}  {kind}")
    print(f"{len(history):>7,}  events from {History(date.today()).first} on")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
