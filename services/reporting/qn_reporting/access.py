"""Who may call which route of reporting, and what they see there.

Reporting holds aggregates only: counts and sums per month, quarter and topic, with no person,
concern or volunteer behind any cell. What readers (committees, and the coordinators, team staff
and admins who answer to them) see is protected: the published tables and figures, public and the
same for everyone. The raw cells behind them (`/counts`, `/sums`, small values included) are the
office's own check, for the admins who run it -- a committee token no longer reads a raw 1.
Every reader sees the same city-wide figures, so there is no "own" and "other" here. Carriers,
Kümmerer and volunteers have no route."""

from __future__ import annotations

from qn_infra.access import AccessPolicy, Rule
from qn_infra.auth import Role

READERS = (Role.COMMITTEE, Role.COORDINATOR, Role.TEAM_STAFF, Role.ADMIN)
OFFICE = (Role.ADMIN,)
"""Who runs the statistics office and may check its raw, unprotected cells."""
FIGURES = "city-wide aggregates, the same for every reader; no cell points at a person"

POLICY = AccessPolicy(
    {
        "GET /counts": Rule.roles(
            OFFICE,
            scope=f"raw counts per month, quarter and topic, small ones included (the office's check): {FIGURES}",
        ),
        "GET /sums": Rule.roles(
            OFFICE, scope=f"raw sums (hours, attendance) per month, quarter and topic (the office's check): {FIGURES}"
        ),
        "GET /metrics-catalogue": Rule.roles(READERS, scope="the metrics known, with labels; no figures"),
        "GET /tables/{metric}": Rule.public_route(
            "a published table of one metric and year: counts with disclosure control (small cells and "
            "their complements shown as '.'), the same for everyone -- the public dashboard's source"
        ),
        "GET /figures/{figure}": Rule.public_route(
            "a published figure of one year (unmet need, early warning, neighbourly help, drop-in centres): "
            "counts with disclosure control, shares only on a base at or above the minimum, the same for everyone"
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
