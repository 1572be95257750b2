"""The city's vocabulary for forms: topics with labels, quarters, outcomes, channels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from qn_contracts.vocabulary import Channel, Urgency
from qn_infra.auth import Principal
from qn_infra.http import language

from .access import POLICY
from .concerns.domain import OUTCOMES
from .context import intake_context
from .help_requests.domain import HELP_KINDS
from .help_requests.domain import LABELS as HELP_STATUS_LABELS
from .next_steps import CHOSEN_BY_STAFF
from .next_steps import LABELS as NEXT_STEP_LABELS
from .referrals.legal_basis import LABELS as LEGAL_BASIS_LABELS
from .referrals.legal_basis import STATED

router = APIRouter(tags=["city"])

CHANNELS = {
    "walk_in": ("Besuch im Treff", "Walk-in at a site"),
    "phone": ("Telefon", "Phone"),
    "home_visit": ("Hausbesuch", "Home visit"),
    "online_form": ("Online-Formular", "Online form"),
    "kuemmerer_observation": ("Beobachtung eines Kümmerers", "A Kümmerer's observation"),
    "discharge_notice": (
        "Entlassmeldung (Krankenhaus, Kurzzeitpflege)",
        "Discharge notice (hospital, short-term care)",
    ),
    "office_referral": ("Überweisung eines anderen Amts", "Referral from another office"),
}
URGENCIES = {"immediate": ("sofort", "immediate"), "soon": ("zeitnah", "soon"), "plannable": ("planbar", "plannable")}


def _label(labels: tuple[str, str], lang: str) -> dict[str, str]:
    return {"label": labels[0] if lang == "de" else labels[1], "de": labels[0], "en": labels[1]}


@router.get("/topics", summary="The topic taxonomy with German and English labels")
async def topics(request: Request, _: Annotated[Principal, POLICY.guard("GET /topics")]) -> list[dict[str, str]]:
    lang = language(request)
    return [{"code": t.code, **_label((t.de, t.en), lang)} for t in intake_context(request).city.topics.values()]


@router.get("/quarters", summary="The city's quarters and their teams")
async def quarters(request: Request, _: Annotated[Principal, POLICY.guard("GET /quarters")]) -> list[dict[str, str]]:
    city = intake_context(request).city
    return [{"id": q.id, "name": q.name, "district": q.district, "team": q.team} for q in city.quarters.values()]


@router.get(
    "/vocabulary",
    summary="Channels, urgencies, concern outcomes, legal bases, next steps, help kinds and statuses with labels",
)
async def vocabulary(
    request: Request, _: Annotated[Principal, POLICY.guard("GET /vocabulary")]
) -> dict[str, list[dict[str, str]]]:
    lang = language(request)
    return {
        "channels": [{"code": c.value, **_label(CHANNELS[c.value], lang)} for c in Channel],
        "urgencies": [{"code": u.value, **_label(URGENCIES[u.value], lang)} for u in Urgency],
        "outcomes": [{"code": code, **_label(labels, lang)} for code, labels in OUTCOMES.items()],
        "legal_bases": [{"code": b.value, **_label(LEGAL_BASIS_LABELS[b], lang)} for b in STATED],
        "next_steps": [{"code": s.value, **_label(NEXT_STEP_LABELS[s], lang)} for s in CHOSEN_BY_STAFF],
        "help_statuses": [{"code": h.value, **_label(labels, lang)} for h, labels in HELP_STATUS_LABELS.items()],
        "help_kinds": [{"code": code, **_label(labels, lang)} for code, labels in HELP_KINDS.items()],
    }
