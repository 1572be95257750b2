"""The metrics reporting knows: one count per consumed event type (`entity.action`), and sums of
the measures committees ask for (hours of neighbourly help, attendance). Labels in German and
English, for dashboards, CSV headers and printable reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from qn_contracts import ALL_EVENTS, Event, EventSpec
from qn_contracts.matching import AssignmentCompleted
from qn_contracts.scheduling import OccurrenceAttended
from qn_contracts.streams import PRODUCERS

# Reporting consumes every producer but itself: nothing it publishes is fed back into its figures.
CONSUMED_PRODUCERS: tuple[str, ...] = tuple(p for p in PRODUCERS if p != "reporting")

Kind = Literal["count", "sum"]

LABELS: dict[str, tuple[str, str]] = {
    # intake
    "concern.recorded": ("Erfasste Anliegen", "Concerns recorded"),
    "concern.closed": ("Abgeschlossene Anliegen", "Concerns closed"),
    "concern.reopened": ("Wiedereröffnete Anliegen", "Concerns reopened"),
    "referral.requested": ("Weiterleitungen an Träger und Ämter", "Referrals to carriers and offices"),
    "referral.status_changed": ("Statuswechsel von Weiterleitungen", "Referral status changes"),
    "referral.overdue": ("Überfällige Weiterleitungen", "Overdue referrals"),
    "help.requested": ("Anfragen nach Nachbarschaftshilfe", "Requests for neighbourly help"),
    "signal.raised": ("Frühwarnsignale", "Early-warning signals raised"),
    "follow_up.due": ("Angelegte Wiedervorlagen", "Follow-up tasks created"),
    "follow_up.done": ("Erledigte Wiedervorlagen", "Follow-up tasks done"),
    "follow_up.overdue": ("Überfällige Wiedervorlagen", "Follow-up tasks overdue"),
    "consent.withdrawn": ("Widerrufene Einwilligungen", "Consents withdrawn"),
    "person.erased": ("Löschungen personenbezogener Daten", "Personal data erased"),
    # matching
    "volunteer.registered": ("Registrierte Ehrenamtliche", "Volunteers registered"),
    "volunteer.status_changed": ("Statuswechsel von Ehrenamtlichen", "Volunteer status changes"),
    "match.proposed": ("Vorschläge an Ehrenamtliche", "Matches proposed to volunteers"),
    "match.accepted": ("Angenommene Vorschläge", "Matches accepted"),
    "match.declined": ("Abgelehnte Vorschläge", "Matches declined"),
    "match.expired": ("Unbeantwortete Vorschläge", "Matches expired unanswered"),
    "match.cancelled": ("Abgesagte Vorschläge und Einsätze", "Matches called off"),
    "match.completed": ("Als erledigt gemeldete Einsätze", "Tasks marked done"),
    "help_request.unmatched": ("Hilfeanfragen ohne passende Ehrenamtliche", "Help requests without a match"),
    "help_request.cancelled": ("Eingestellte Hilfeanfragen", "Help requests stopped"),
    "assignment.completed": ("Abgeschlossene Einsätze", "Assignments completed"),
    # scheduling
    "site.updated": ("Änderungen an Standorten", "Site updates"),
    "booking.requested": ("Raumanfragen von Trägern", "Room requests by carriers"),
    "booking.confirmed": ("Bestätigte Raumbuchungen", "Room bookings confirmed"),
    "booking.rejected": ("Abgelehnte Raumbuchungen", "Room bookings rejected"),
    "booking.cancelled": ("Stornierte Raumbuchungen", "Room bookings cancelled"),
    "occurrence.attended": ("Termine mit erfasster Teilnahme", "Occurrences with attendance recorded"),
    "room.occupancy_changed": ("Neu berechnete Raumauslastungen", "Room occupancy recalculated"),
    "offer.published": ("Veröffentlichte Angebote", "Offers published"),
    # sums
    "assignment.completed.hours": ("Geleistete Stunden Nachbarschaftshilfe", "Hours of neighbourly help given"),
    "occurrence.attended.attendance": ("Teilnehmende an Angeboten", "Attendance at offers"),
}


@dataclass(frozen=True)
class Measure:
    """A number carried by an event that is summed, not counted."""

    metric: str
    field: str
    unit: str


MEASURES: dict[type[Event], Measure] = {
    AssignmentCompleted: Measure("assignment.completed.hours", "hours", "hours"),
    OccurrenceAttended: Measure("occurrence.attended.attendance", "attendance", "people"),
}


@dataclass(frozen=True)
class Metric:
    key: str
    kind: Kind
    producer: str
    event_type: str
    label_de: str
    label_en: str
    unit: str
    dimensions: tuple[str, ...]

    def label(self, language: str) -> str:
        return self.label_de if language == "de" else self.label_en


def metric_of(spec: EventSpec) -> str:
    """The metric an event counts under: its `entity.action` (`concern.recorded`)."""
    return f"{spec.entity}.{spec.action}"


def dimensions_of(event_class: type[Event]) -> tuple[str, ...]:
    """The dimensions an event's figures can be broken down by."""
    fields = event_class.model_fields
    dims = ["month"]
    if "quarter_id" in fields or "site_id" in fields:
        dims.append("quarter_id")
    if "topics" in fields:
        dims.append("topic")
    return tuple(dims)


def _metric(key: str, kind: Kind, event_class: type[Event], unit: str) -> Metric:
    spec = event_class.spec
    # a newer contracts package may add an event before its label is written: show its summary
    de, en = LABELS.get(key, (spec.summary or key, spec.summary or key))
    return Metric(key, kind, spec.producer, spec.type, de, en, unit, dimensions_of(event_class))


CONSUMED_EVENTS: tuple[type[Event], ...] = tuple(e for e in ALL_EVENTS if e.spec.producer in CONSUMED_PRODUCERS)

COUNTS: dict[str, Metric] = {
    metric_of(e.spec): _metric(metric_of(e.spec), "count", e, "events") for e in CONSUMED_EVENTS
}
SUMS: dict[str, Metric] = {m.metric: _metric(m.metric, "sum", e, m.unit) for e, m in MEASURES.items()}
