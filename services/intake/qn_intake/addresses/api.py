"""HTTP routes for addresses: staff check an address before recording it, and autocomplete street
names. Nothing typed here is logged: an address next to a concern is personal data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from qn_infra.auth import Principal

from ..access import POLICY
from ..context import intake_context
from .schemas import ResolvedAddressOut, StreetOut, StreetsOut

router = APIRouter(prefix="/addresses", tags=["addresses"])


@router.get(
    "/resolve",
    response_model=ResolvedAddressOut,
    summary="Check an address: the quarter it lies in, or 422 with candidates to choose from",
)
def resolve_address(
    request: Request,
    _: Annotated[Principal, POLICY.guard("GET /addresses/resolve")],
    street: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="Street as typed; may hold the whole address ('Franzstr. 147a, 06842').",
            examples=["Franzstr."],
        ),
    ],
    house_number: Annotated[
        str | None, Query(max_length=20, description="House number, with suffix.", examples=["147a"])
    ] = None,
    postcode: Annotated[str | None, Query(max_length=10, description="Postcode, if known.", examples=["06842"])] = None,
) -> ResolvedAddressOut:
    ctx = intake_context(request)
    resolved = ctx.directory.resolve(street, house_number or None, postcode or None, field_prefix="")
    quarter = ctx.city.quarter(resolved.quarter_id)
    return ResolvedAddressOut(
        **resolved._asdict(),
        quarter_name=quarter.name if quarter else None,
        district=(quarter.district or None) if quarter else None,
        team_id=quarter.team if quarter else None,
    )


@router.get("/streets", response_model=StreetsOut, summary="Street names starting with what was typed (autocomplete)")
def streets(
    request: Request,
    _: Annotated[Principal, POLICY.guard("GET /addresses/streets")],
    prefix: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="The start of a street name; case, ä/ae, ß/ss, 'Str.' and hyphens do not matter.",
            examples=["franzstr"],
        ),
    ],
) -> StreetsOut:
    found = intake_context(request).directory.streets_starting(prefix, limit=10)
    return StreetsOut(streets=[StreetOut(**s) for s in found])
