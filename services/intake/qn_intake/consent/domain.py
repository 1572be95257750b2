"""Rules for consent: what a consent record must say, when it counts, and the error an action
gets when the consent it needs is missing. No framework, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from qn_contracts.vocabulary import ConsentPurpose
from qn_infra.errors import Conflict, Forbidden, Invalid, NotFound

from ..city import City

PURPOSE_TEXT = {
    # (German, English) as staff would say it
    ConsentPurpose.REFERRAL: ("Weitervermittlung an {carrier}", "referral to {carrier}"),
    ConsentPurpose.NEIGHBOURLY_HELP: ("Nachbarschaftshilfe", "neighbourly help"),
    ConsentPurpose.FOLLOW_UP_CONTACT: ("Nachfassen (Kontaktaufnahme)", "follow-up contact"),
}

# a clock a few minutes ahead on a tablet must not make a consent given "now" look like the future
CLOCK_SKEW = timedelta(minutes=5)
PLAUSIBLE_YEARS = (1900, 2999)


def purpose_text(purpose: str, carrier_id: str | None) -> tuple[str, str]:
    try:
        de, en = PURPOSE_TEXT[ConsentPurpose(purpose)]
    except ValueError:
        de = en = purpose
    carrier = carrier_id or "?"
    return de.format(carrier=carrier), en.format(carrier=carrier)


class ConsentMissing(Forbidden):
    """An action needs an active consent (not withdrawn, not expired) that the person has not given."""

    code = "consent_missing"

    def __init__(self, purpose: str, *, carrier_id: str | None = None) -> None:
        de, en = purpose_text(purpose, carrier_id)
        super().__init__(
            f"Einwilligung fehlt: für „{de}“ liegt keine gültige Einwilligung vor "
            "(nicht erteilt, widerrufen oder abgelaufen).",
            f"Consent missing: there is no valid consent for {en} (not given, withdrawn or expired).",
            extra={"missing_consent": {"purpose": purpose, "carrier_id": carrier_id}},
        )
        self.purpose = purpose
        self.carrier_id = carrier_id


class ConsentNotFound(NotFound):
    code = "consent_not_found"


class ConsentAlreadyWithdrawn(Conflict):
    code = "consent_already_withdrawn"


class InvalidConsent(Invalid):
    code = "invalid_consent"


@dataclass(frozen=True)
class GiveConsent:
    purpose: ConsentPurpose
    given_by: str
    form: str
    carrier_id: str | None = None
    given_at: datetime | None = None
    expires_at: datetime | None = None
    note: str | None = None


def check_consent(cmd: GiveConsent, city: City, now: datetime) -> datetime:
    """Checks a consent before it is recorded; returns when it was given."""
    if cmd.purpose == ConsentPurpose.REFERRAL:
        if not cmd.carrier_id:
            raise InvalidConsent(
                "Für eine Einwilligung zur Weitervermittlung muss der Träger (carrier_id) genannt sein.",
                "A consent to referral must name the carrier (carrier_id).",
                field="carrier_id",
            )
        if cmd.carrier_id not in city.organisations:
            known = ", ".join(sorted(city.organisations))
            raise InvalidConsent(
                f"Träger '{cmd.carrier_id}' ist in dieser Stadt nicht bekannt. Bekannte Träger: {known}.",
                f"Carrier '{cmd.carrier_id}' is not known in this city. Known carriers: {known}.",
                field="carrier_id",
            )
    elif cmd.carrier_id:
        raise InvalidConsent(
            "Ein Träger (carrier_id) wird nur bei einer Einwilligung zur Weitervermittlung genannt.",
            "A carrier (carrier_id) is named only in a consent to referral.",
            field="carrier_id",
        )
    for name, value in (("given_at", cmd.given_at), ("expires_at", cmd.expires_at)):
        # checked on the calendar year first: comparing year 1 or 9999 across offsets overflows
        if value is not None and not (PLAUSIBLE_YEARS[0] <= value.year <= PLAUSIBLE_YEARS[1]):
            raise InvalidConsent(
                f"Das Datum ({name}) muss zwischen {PLAUSIBLE_YEARS[0]} und {PLAUSIBLE_YEARS[1]} liegen.",
                f"The date ({name}) must lie between {PLAUSIBLE_YEARS[0]} and {PLAUSIBLE_YEARS[1]}.",
                field=name,
            )
    given_at = cmd.given_at or now
    if given_at > now + CLOCK_SKEW:
        raise InvalidConsent(
            "Der Zeitpunkt der Einwilligung (given_at) liegt in der Zukunft.",
            "The time consent was given (given_at) lies in the future.",
            field="given_at",
        )
    given_at = min(given_at, now)  # within the skew: it was given now
    if cmd.expires_at is not None and cmd.expires_at <= now:
        raise InvalidConsent(
            "Das Ablaufdatum (expires_at) liegt in der Vergangenheit; eine abgelaufene Einwilligung gilt nicht.",
            "The expiry (expires_at) lies in the past; an expired consent does not count.",
            field="expires_at",
        )
    return given_at


def is_active(withdrawn_at: datetime | None, given_at: datetime, expires_at: datetime | None, now: datetime) -> bool:
    """Active = given, not withdrawn, not expired."""
    return withdrawn_at is None and given_at <= now and (expires_at is None or expires_at > now)
