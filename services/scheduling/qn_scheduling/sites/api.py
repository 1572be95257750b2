"""HTTP routes for sites: translate, call a handler, translate back. Who may call each route, and
what they see, is in `..access`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from qn_infra.auth import Principal
from qn_infra.openapi_problems import conflict

from ..access import POLICY
from . import handlers
from .schemas import ID_PATTERN, SiteIn, SiteOut

router = APIRouter(prefix="/sites", tags=["sites"])

SiteIdPath = Annotated[str, Path(pattern=ID_PATTERN, description="Id of the site.", examples=["franztreff"])]


def context(request: Request) -> handlers.SchedulingContext:
    return request.app.state.scheduling


@router.put(
    "/{site_id}",
    response_model=SiteOut,
    responses={
        201: {"description": "Created", "model": SiteOut},
        **conflict("A room the new description leaves out has future bookings (the answer lists them)"),
    },
    summary="Create or replace a site with its rooms and opening hours",
)
def put_site(
    site_id: SiteIdPath,
    body: SiteIn,
    request: Request,
    response: Response,
    _: Annotated[Principal, POLICY.guard("PUT /sites/{site_id}")],
) -> SiteOut:
    runtime = request.app.state.runtime
    site, created = handlers.put_site(
        body.to_spec(site_id), uow=runtime.unit_of_work(), ctx=context(request), now=runtime.clock.now()
    )
    if created:
        response.status_code = 201
        response.headers["Location"] = f"/sites/{site_id}"
    return SiteOut.of(site)


@router.get("", response_model=list[SiteOut], summary="List the sites")
def list_sites(
    request: Request,
    quarter_id: Annotated[str | None, Query(max_length=64, description="Only sites of this quarter.")] = None,
) -> list[SiteOut]:
    sites = handlers.list_sites(uow=request.app.state.runtime.unit_of_work(), quarter_id=quarter_id)
    return [SiteOut.of(site) for site in sites]


@router.get("/{site_id}", response_model=SiteOut, summary="Read a site")
def get_site(site_id: SiteIdPath, request: Request) -> SiteOut:
    return SiteOut.of(handlers.get_site(site_id, uow=request.app.state.runtime.unit_of_work()))
