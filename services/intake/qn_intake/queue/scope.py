"""Whose work a caller sees: team staff see their own team's; coordinators and admins any team's.
Used by the work queue, signals and follow-ups alike."""

from __future__ import annotations

from qn_infra.auth import Principal, Role
from qn_infra.errors import Forbidden, Invalid

from ..city import City

CITY_WIDE = (Role.COORDINATOR, Role.ADMIN)


class UnknownTeam(Invalid):
    code = "unknown_team"


class OtherTeam(Forbidden):
    code = "other_team"


def visible_team(principal: Principal, team_id: str | None, city: City) -> str | None:
    """The team whose work a listing shows; None means every team (coordinator or admin without
    a team of their own and without `team_id`)."""
    if team_id is not None and team_id not in city.teams:
        known = ", ".join(sorted(city.teams))
        raise UnknownTeam(
            f"Team '{team_id}' gibt es nicht. Bekannte Teams: {known}.",
            f"Unknown team '{team_id}'. Known teams: {known}.",
            field="team_id",
        )
    if principal.has_any(*CITY_WIDE):
        return team_id or principal.team
    own = _own_team(principal)
    if team_id is not None and team_id != own:
        raise _other_team(team_id, field="team_id")
    return own


def acting_team(principal: Principal) -> str | None:
    """The only team whose tasks the caller may change; None means any (coordinator, admin)."""
    return None if principal.has_any(*CITY_WIDE) else _own_team(principal)


def check_team_access(team_id: str, allowed: str | None) -> None:
    """Refuses work of another team than `allowed` (None allows every team)."""
    if allowed is not None and team_id != allowed:
        raise _other_team(team_id, field=None)


def _own_team(principal: Principal) -> str:
    if not principal.team:
        raise Forbidden(
            "Ihr Zugang ist keinem Team zugeordnet; bitte die Administration fragen.",
            "Your account belongs to no team; please ask your administrator.",
        )
    return principal.team


def _other_team(team_id: str, *, field: str | None) -> OtherTeam:
    return OtherTeam(
        f"Keine Berechtigung: das gehört zu Team '{team_id}', nicht zu Ihrem Team.",
        f"Not allowed: this belongs to team '{team_id}', not to your team.",
        field=field,
    )
