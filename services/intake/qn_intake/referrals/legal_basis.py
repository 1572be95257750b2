"""On what ground a referral's data may leave intake (SGB X §67 ff., GDPR Art. 6 and 9). A referral
of a known person to a carrier or office needs either the person's consent naming that target, or
a legal basis that staff state and justify; until then it is held as `awaiting_consent`.
Anonymous concerns and referrals between the city's own teams need neither. No framework."""

from __future__ import annotations

from enum import StrEnum

from qn_contracts.vocabulary import TargetKind
from qn_infra.errors import Invalid

from ..city import City


class LegalBasis(StrEnum):
    CONSENT = "consent"
    """The person's consent for referral to exactly this target (recorded as a consent)."""
    SGB_X_69 = "sgb_x_69"
    """§ 69 Abs. 1 Nr. 1 SGB X: transfer for a statutory task of a city office (Sozialleistungsträger)."""
    SGB_VIII_8A = "sgb_viii_8a"
    """§ 8a SGB VIII: the protection mandate when a child's welfare is at risk -- the youth office only."""
    GDPR_9_2_C = "gdpr_9_2_c"
    """Art. 9 Abs. 2 lit. c DSGVO: vital interests of a person who cannot give consent."""


LABELS: dict[LegalBasis, tuple[str, str]] = {
    LegalBasis.CONSENT: ("Einwilligung der Person", "The person's consent"),
    LegalBasis.SGB_X_69: (
        "§ 69 Abs. 1 Nr. 1 SGB X – Übermittlung für eine gesetzliche Aufgabe",
        "§ 69 (1) no. 1 SGB X – transfer for a statutory task",
    ),
    LegalBasis.SGB_VIII_8A: (
        "§ 8a SGB VIII – Schutzauftrag bei Kindeswohlgefährdung",
        "§ 8a SGB VIII – protection mandate where a child's welfare is at risk",
    ),
    LegalBasis.GDPR_9_2_C: (
        "Art. 9 Abs. 2 lit. c DSGVO – lebenswichtige Interessen, Einwilligung nicht möglich",
        "Art. 9 (2)(c) GDPR – vital interests, consent not possible",
    ),
}

STATED = (LegalBasis.SGB_X_69, LegalBasis.SGB_VIII_8A, LegalBasis.GDPR_9_2_C)
"""What staff may state; consent is never stated, it is recorded as a consent."""


class LegalBasisNotFitting(Invalid):
    code = "legal_basis_not_fitting"


def needs_ground(target_kind: TargetKind | str, *, person_attached: bool) -> bool:
    """Whether a referral may leave intake only with consent or a legal basis."""
    return person_attached and TargetKind(target_kind) in (TargetKind.CARRIER, TargetKind.OFFICE)


def check_stated(basis: str, target_kind: TargetKind | str, target_id: str, city: City, *, field: str) -> LegalBasis:
    """A legal basis staff state for a referral to `target_id`; 422 naming the field when it does not fit."""
    allowed = ", ".join(b.value for b in STATED)
    try:
        stated = LegalBasis(basis)
    except ValueError:
        stated = None
    if stated not in STATED:
        raise LegalBasisNotFitting(
            f"Rechtsgrundlage '{basis}' gibt es nicht (eine Einwilligung wird als Einwilligung erfasst). "
            f"Möglich: {allowed}.",
            f"Unknown legal basis '{basis}' (a consent is recorded as a consent). Possible: {allowed}.",
            field=field,
            extra={"allowed": [b.value for b in STATED]},
        )
    assert stated is not None
    kind = TargetKind(target_kind)
    youth_office = city.child_protection.youth_office if city.child_protection else None
    if kind == TargetKind.TEAM:
        raise LegalBasisNotFitting(
            "Eine Überweisung an ein Team der Stadt braucht keine Rechtsgrundlage.",
            "A referral to one of the city's teams needs no legal basis.",
            field=field,
        )
    if stated == LegalBasis.SGB_X_69 and kind != TargetKind.OFFICE:
        raise LegalBasisNotFitting(
            "§ 69 SGB X erlaubt die Übermittlung an ein Amt der Stadt, nicht an einen freien Träger.",
            "§ 69 SGB X allows a transfer to a city office, not to an independent carrier.",
            field=field,
        )
    if stated == LegalBasis.SGB_VIII_8A and target_id != youth_office:
        raise LegalBasisNotFitting(
            "§ 8a SGB VIII gilt nur für Mitteilungen an das Jugendamt.",
            "§ 8a SGB VIII applies only to the youth office.",
            field=field,
        )
    return stated


def label(basis: str | None) -> tuple[str, str] | None:
    try:
        return LABELS[LegalBasis(basis)] if basis else None
    except ValueError:
        return (basis, basis) if basis else None
