"""The finer figures reporting publishes, with their German and English names: which breakdowns
each is cut from, the columns it shows and how each column is protected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from qn_contracts import Event
from qn_contracts.intake import (
    ConcernRecorded,
    FollowUpDone,
    FollowUpOverdue,
    HelpRequested,
    ReferralStatusChanged,
    SignalRaised,
)
from qn_contracts.matching import AssignmentCompleted, HelpRequestUnmatched, MatchAccepted
from qn_contracts.scheduling import BookingCancelled, OccurrenceAttended

from .cubes import Shape

UNMET = "@unmet"
"""The referrals' detail of declined and failed ones together."""

Protection = Literal["count", "people", "magnitude"]
"""count: events, protected on themselves; people: a number of people (attendance), protected on
itself like a count; magnitude (hours, minutes): shown only where the number of events behind it is."""


@dataclass(frozen=True)
class Column:
    name: str
    label_de: str
    label_en: str
    breakdown: str
    protection: Protection = "count"
    same_as: str | None = None
    """The count table (metric) whose cells this column's cells are where both have them -- every
    event of the metric, at the same period, place and topic: the cell-key method then gives both
    the same noise, so that comparing the two answers averages nothing away. A figure by Quartal
    and quarter is then cut from that table's own cube (`cut_from_table`), details and all."""


@dataclass(frozen=True)
class Ratio:
    """A share or mean of two columns, given only on a published base of at least the minimum."""

    name: str
    label_de: str
    label_en: str
    part: str
    base: str


@dataclass(frozen=True)
class FigureSpec:
    name: str
    label_de: str
    label_en: str
    shape: Shape
    columns: tuple[Column, ...]
    ratios: tuple[Ratio, ...]
    sources: tuple[type[Event], ...]
    detail_de: str = ""
    detail_en: str = ""

    def label(self, lang: str) -> str:
        return self.label_de if lang == "de" else self.label_en

    def cut_from_table(self, column: Column) -> bool:
        """Whether the column's cells are cells of its count table's cube: a count of every event
        of the metric (`same_as`) by Quartal and quarter. The figure then shows that cube's cells
        as protected for the tables -- the same cells hidden in both, or the two side by side
        would give hidden ones away."""
        shape = self.shape
        return column.same_as is not None and shape.grain == "quartal" and shape.places == "quarters"


FIGURES: dict[str, FigureSpec] = {
    spec.name: spec
    for spec in (
        FigureSpec(
            "concerns",
            "Anliegen nach Zugangsweg: Erstkontakte und Weiterleitungen",
            "Concerns by channel: first contacts and referrals",
            Shape("quartal", "quarters", details=True),
            (Column("concerns", "Anliegen", "Concerns", "concern_channel", same_as="concern.recorded"),),
            (),
            (ConcernRecorded,),
            "Zugangsweg",
            "Channel",
        ),
        FigureSpec(
            "referrals",
            "Weiterleitungen nach Empfänger und Ausgang",
            "Referrals by recipient and outcome",
            # declined and failed together are the unmet need of every reason: a detail of its own,
            # so that the two figures show that sum alike (`..handlers._linked_to_unmet_need`)
            Shape("quartal", "targets", details=True, groups=((UNMET, ("rejected", "failed")),)),
            (Column("referrals", "Weiterleitungen", "Referrals", "referral_outcome"),),
            (),
            (ReferralStatusChanged,),
            "Ausgang",
            "Outcome",
        ),
        FigureSpec(
            "unmet_need",
            "Ungedeckter Bedarf: abgelehnte und gescheiterte Weiterleitungen nach Grund",
            "Unmet need: declined and failed referrals by reason",
            Shape("quartal", "quarters", details=True),
            (Column("referrals", "Weiterleitungen", "Referrals", "unmet_need"),),
            (),
            (ReferralStatusChanged,),
            "Grund",
            "Reason",
        ),
        FigureSpec(
            "early_warning",
            "Frühwarnsignale je Woche und Quartier",
            "Early-warning signals per week and neighbourhood",
            Shape("week", "quarters", details=False),
            (Column("signals", "Signale", "Signals", "signal_week", same_as="signal.raised"),),
            (),
            (SignalRaised,),
        ),
        FigureSpec(
            "signals",
            "Frühwarnsignale nach Art und Quartier",
            "Early-warning signals by kind and neighbourhood",
            Shape("quartal", "quarters", details=True),
            (Column("signals", "Signale", "Signals", "signal_type", same_as="signal.raised"),),
            (),
            (SignalRaised,),
            "Art des Signals",
            "Kind of signal",
        ),
        FigureSpec(
            "follow_ups",
            "Nachsorge: erledigte Aufgaben, davon rechtzeitig, und überfällige",
            "Follow-ups: done, of which in time, and overdue",
            Shape("quartal", "quarters", details=False),
            (
                Column("done", "Erledigt", "Done", "follow_up_done", same_as="follow_up.done"),
                Column("on_time", "Davon rechtzeitig", "Of which in time", "follow_up_on_time"),
                Column(
                    "overdue", "Überfällig geworden", "Became overdue", "follow_up_overdue", same_as="follow_up.overdue"
                ),
            ),
            (Ratio("on_time_share", "Anteil rechtzeitig", "Share in time", "on_time", "done"),),
            (FollowUpDone, FollowUpOverdue),
        ),
        FigureSpec(
            "neighbourly_help",
            "Nachbarschaftshilfe: Anfragen, Vermittlungen und Stunden",
            "Neighbourly help: requests, matches and hours",
            Shape("quartal", "quarters", details=True),
            (
                Column("requested", "Anfragen", "Requests", "help_requested", same_as="help.requested"),
                Column("matched", "Vermittelt", "Matched", "help_matched", same_as="match.accepted"),
                Column(
                    "unmatched",
                    "Ohne passende Ehrenamtliche",
                    "Without a match",
                    "help_unmatched",
                    same_as="help_request.unmatched",
                ),
                Column(
                    "assignments",
                    "Abgeschlossene Einsätze",
                    "Assignments completed",
                    "help_hours",
                    same_as="assignment.completed",
                ),
                Column("hours", "Stunden", "Hours", "help_hours", "magnitude"),
                Column("timed", "Vermittlungen mit Dauer", "Matches with their time", "help_match_time"),
                Column("minutes", "Minuten bis zur Vermittlung", "Minutes to match", "help_match_time", "magnitude"),
            ),
            (
                Ratio("matched_share", "Anteil vermittelt", "Share matched", "matched", "requested"),
                Ratio(
                    "mean_minutes_to_match",
                    "Minuten bis zur Vermittlung (Mittel)",
                    "Minutes to match (mean)",
                    "minutes",
                    "timed",
                ),
            ),
            (HelpRequested, MatchAccepted, HelpRequestUnmatched, AssignmentCompleted),
            "Art der Hilfe",
            "Kind of help",
        ),
        FigureSpec(
            "attendance",
            "Angebotstreffs je Quartier: Termine und Teilnehmende",
            "Drop-in centres per neighbourhood: occurrences and attendance",
            Shape("quartal", "quarters", details=False),
            (
                Column("occurrences", "Termine mit Teilnahme", "Occurrences attended", "attendance_quarter"),
                Column("attendance", "Teilnehmende", "Attendance", "attendance_quarter", "people"),
            ),
            (
                Ratio(
                    "mean_attendance",
                    "Teilnehmende je Termin",
                    "Attendance per occurrence",
                    "attendance",
                    "occurrences",
                ),
            ),
            (OccurrenceAttended,),
        ),
        FigureSpec(
            "drop_in",
            "Angebotstreffs: Termine, Absagen und Teilnahme",
            "Drop-in centres: occurrences, cancellations and attendance",
            Shape("week", "sites", details=False),
            (
                Column(
                    "held",
                    "Stattgefundene Termine",
                    "Occurrences held",
                    "occurrence_held",
                    same_as="occurrence.attended",
                ),
                Column("cancelled", "Abgesagte Termine", "Occurrences cancelled", "occurrence_cancelled"),
                Column("attendance", "Teilnehmende", "Attendance", "occurrence_held", "people"),
            ),
            (Ratio("mean_attendance", "Teilnehmende je Termin", "Attendance per occurrence", "attendance", "held"),),
            (OccurrenceAttended, BookingCancelled),
        ),
    )
}
