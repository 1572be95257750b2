"""The details a count table is split into beside its topics: how concerns reached the team,
which kind of help was asked for, matched or given, and which warning sign a signal is.

A detail is part of the metric's own cube (`domain.cube_of`), not a figure of its own: the
concerns by channel add up to the very concerns the quarter × topic tables publish, and two
cubes protected apart would each hide a different cell of those shared totals -- shown side by
side, one would give the other's away. Cut from one cube, every table and figure that shows
these cells shows them alike.

The cells come from the breakdown the finer figures keep (`..breakdowns.domain`), per month and
quarter; what the detail cells do not account for (events counted before the breakdown
existed) is shown as "no detail" (''), so that the details always add up to the total."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Details:
    breakdown: str
    """The breakdown whose cells (`topic` '*', `detail` the code) split the metric."""
    label_de: str
    label_en: str
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Group code -> its detail codes: the groups add up to the total, their codes to the group.
    Codes in no group (a code a later contract version added) stand directly under the total."""

    def label(self, lang: str) -> str:
        return self.label_de if lang == "de" else self.label_en

    def tree(self, seen: set[str]) -> dict[str, tuple[str, ...]]:
        """The hierarchy of the codes seen (parent -> children), the total being '*': the groups
        with a seen code, then the seen codes in no group."""
        grouped = {code for codes in self.groups.values() for code in codes}
        groups = {g: tuple(c for c in codes if c in seen) for g, codes in self.groups.items()}
        groups = {g: codes for g, codes in groups.items() if codes}
        loose = tuple(sorted(seen - grouped))
        if not groups and not loose:
            return {}
        return {"*": (*groups, *loose), **groups}


FIRST_CONTACT, REFERRED = "@first_contact", "@referred"

CHANNELS = Details(
    "concern_channel",
    "Zugangsweg",
    "Channel",
    {
        # the person, or someone near them in the quarter, came to the team
        FIRST_CONTACT: ("walk_in", "phone", "home_visit", "online_form", "kuemmerer_observation"),
        # an institution handed the concern on
        REFERRED: ("office_referral", "discharge_notice"),
    },
)
HELP_KINDS = ("Art der Hilfe", "Kind of help")

DETAILS: dict[str, Details] = {
    "concern.recorded": CHANNELS,
    "help.requested": Details("help_requested", *HELP_KINDS),
    "match.accepted": Details("help_matched", *HELP_KINDS),
    "help_request.unmatched": Details("help_unmatched", *HELP_KINDS),
    "assignment.completed": Details("help_hours", *HELP_KINDS),
    "signal.raised": Details("signal_type", "Art des Signals", "Kind of signal"),
}
"""Metric -> its details. The finer figures whose columns count the same events (`same_as`) at
Quartal and quarter level are cut from these cubes (`..breakdowns.handlers`)."""

LABELS: dict[str, tuple[str, str]] = {
    FIRST_CONTACT: ("Erstkontakte (direkt ans Team)", "First contacts (straight to the team)"),
    REFERRED: ("Weitergeleitet (von Ämtern, Kliniken)", "Referred (by offices, hospitals)"),
    "walk_in": ("Persönlich vorbeigekommen", "Walk-in"),
    "phone": ("Telefon", "Phone"),
    "home_visit": ("Hausbesuch", "Home visit"),
    "online_form": ("Online-Formular", "Online form"),
    "kuemmerer_observation": ("Beobachtung eines Kümmerers", "A Kümmerer's observation"),
    "office_referral": ("Weiterleitung eines Amts", "An office's referral"),
    "discharge_notice": ("Entlassmeldung (Klinik, Kurzzeitpflege)", "Discharge notice (hospital, short-term care)"),
    "shopping": ("Einkaufen", "Shopping"),
    "small_repairs": ("Kleine Reparaturen", "Small repairs"),
    "escort": ("Begleitung zu Arzt oder Amt", "Escort to a doctor or an office"),
    "walk": ("Spaziergang", "A walk"),
    "reading": ("Vorlesen", "Reading aloud"),
    "company": ("Gesellschaft leisten", "Company"),
    "digital_help": ("Digitale Hilfe", "Digital help"),
    "paperwork": ("Hilfe mit Papieren", "Help with paperwork"),
    "loneliness": ("Einsamkeit", "Loneliness"),
    "neglect": ("Verwahrlosung", "Neglect"),
    "discharge_without_follow_up": ("Entlassung ohne Nachsorge", "Discharge without follow-up"),
    "no_contact": ("Kein Kontakt mehr", "No contact any more"),
    "debt_crisis": ("Überschuldung", "Debt crisis"),
    "housing_loss_risk": ("Drohender Wohnungsverlust", "Risk of losing the home"),
    # why a referral was declined or failed (the unmet need)
    "no_capacity": ("keine Kapazität", "no capacity"),
    "out_of_area": ("nicht zuständig (Gebiet)", "out of area"),
    "not_eligible": ("kein Anspruch", "not eligible"),
    "could_not_contact": ("nicht erreicht", "could not contact"),
    "resident_declined": ("von der Person abgelehnt", "declined by the person"),
    "no_longer_interested": ("kein Interesse mehr", "no longer interested"),
    "referred_elsewhere": ("anderswohin vermittelt", "referred elsewhere"),
    "expired": ("Frist abgelaufen", "expired"),
    # what became of a referral (the referrals' figure by target)
    "accepted": ("angenommen", "accepted"),
    "@unmet": ("abgelehnt oder gescheitert", "declined or failed"),
    "rejected": ("abgelehnt", "declined"),
    "completed": ("erledigt", "completed"),
    "failed": ("gescheitert", "failed"),
    "cancelled": ("zurückgezogen", "withdrawn"),
    "": ("ohne Angabe", "not given"),
}


def detail_label(code: str, lang: str) -> str:
    """The detail's name in the reader's language; an unknown code (a kind the city added) as it is."""
    found = LABELS.get(code)
    return code if found is None else found[0 if lang == "de" else 1]
