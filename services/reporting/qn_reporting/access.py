"""Who may call which route of reporting, and what they see there.

Reporting holds aggregates only: counts and sums per month, quarter and topic, with no person,
concern or volunteer behind any cell. Committees read them, and so do the coordinators, team
staff and admins who answer to committees; every reader sees the same city-wide figures, so
there is no "own" and "other" here. Carriers, Kümmerer and volunteers have no route."""

from __future__ import annotations

from qn_infra.access import AccessPolicy, Rule
from qn_infra.auth import Role

READERS = (Role.COMMITTEE, Role.COORDINATOR, Role.TEAM_STAFF, Role.ADMIN)
FIGURES = "city-wide aggregates, the same for every reader; no cell points at a person"

POLICY = AccessPolicy(
    {
        "GET /counts": Rule.roles(READERS, scope=f"counts per month, quarter and topic: {FIGURES}"),
        "GET /sums": Rule.roles(READERS, scope=f"sums (hours, attendance) per month, quarter and topic: {FIGURES}"),
        "GET /metrics-catalogue": Rule.roles(READERS, scope="the metrics known, with labels; no figures"),
        "GET /tables/{metric}": Rule.public_route(
            "a published table of one metric and year: counts with disclosure control (small cells and "
            "their complements shown as '.'), the same for everyone -- the public dashboard's source"
        ),
        "GET /reports/{period}.pdf": Rule.public_route(
            "the printed period report (PDF): cut from the published tables only, with the same '.' in the same "
            "cells; public like them, so a committee member can open it from the agenda without a login"
        ),
        "GET /dashboard": Rule.public_route(
            "the public dashboard page: charts, map and tables cut from the protected tables only"
        ),
    }
)
