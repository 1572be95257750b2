"""What a team does when help it asked for does not come: a referral declined or failed, or
matching found no volunteer. The item stays in the team's work queue ("another way needed")
until the team records its next step, refers the concern again, or closes it. No framework."""

from __future__ import annotations

from enum import StrEnum

from qn_infra.errors import Conflict, Invalid


class NextStep(StrEnum):
    REFERRED_ELSEWHERE = "referred_elsewhere"
    TEAM_TAKES_OVER = "team_takes_over"
    VOLUNTEER_FOUND_OTHERWISE = "volunteer_found_otherwise"
    PERSON_DECLINED = "person_declined"
    NO_FURTHER_ACTION = "no_further_action"
    CONCERN_CLOSED = "concern_closed"
    """Set by intake when the concern is closed."""


LABELS: dict[NextStep, tuple[str, str]] = {
    NextStep.REFERRED_ELSEWHERE: ("An eine andere Stelle vermittelt", "Referred elsewhere"),
    NextStep.TEAM_TAKES_OVER: ("Das Team übernimmt selbst", "The team takes it on itself"),
    NextStep.VOLUNTEER_FOUND_OTHERWISE: ("Hilfe anders gefunden (z. B. Nachbarn)", "Help found otherwise"),
    NextStep.PERSON_DECLINED: ("Die Person wünscht keine weitere Hilfe", "The person wants no further help"),
    NextStep.NO_FURTHER_ACTION: ("Kein weiterer Schritt nötig", "No further step needed"),
    NextStep.CONCERN_CLOSED: ("Anliegen abgeschlossen", "Concern closed"),
}

CHOSEN_BY_STAFF = tuple(s for s in NextStep if s != NextStep.CONCERN_CLOSED)


class NextStepNotFitting(Invalid):
    code = "next_step_not_fitting"


class NextStepNotNeeded(Conflict):
    code = "next_step_not_needed"


def check_step(step: str) -> NextStep:
    allowed = ", ".join(s.value for s in CHOSEN_BY_STAFF)
    if step not in [s.value for s in CHOSEN_BY_STAFF]:
        raise NextStepNotFitting(
            f"Nächster Schritt '{step}' gibt es nicht. Möglich: {allowed}.",
            f"Unknown next step '{step}'. Possible: {allowed}.",
            field="step",
            extra={"allowed": [s.value for s in CHOSEN_BY_STAFF]},
        )
    return NextStep(step)


def not_needed(what_de: str, what_en: str, status: str) -> NextStepNotNeeded:
    return NextStepNotNeeded(
        f"Für {what_de} mit Status '{status}' ist kein nächster Schritt offen.",
        f"No next step is open for {what_en} with status '{status}'.",
        extra={"current_status": status},
    )
