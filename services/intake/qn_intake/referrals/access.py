"""Who may see and answer which referral: a carrier only what is addressed to its organisation,
team staff what their team referred or what is addressed to their team, coordinators and admins
everything."""

from __future__ import annotations

from dataclasses import dataclass

from qn_infra.auth import Principal, Role

from .domain import NotYourReferral

STAFF_ROLES = (Role.TEAM_STAFF, Role.COORDINATOR, Role.ADMIN)
EVERY_TEAM_ROLES = (Role.COORDINATOR, Role.ADMIN)
READERS = (*STAFF_ROLES, Role.CARRIER)


@dataclass(frozen=True)
class Scope:
    """What one caller may see: referrals to `target_id` (a carrier); of concerns of `team_id`, or
    addressed to that team (team staff); or everything (both None)."""

    target_id: str | None = None
    team_id: str | None = None

    @property
    def as_carrier(self) -> bool:
        return self.target_id is not None


def scope_of(principal: Principal) -> Scope:
    """Staff roles win over the carrier role when a token holds both."""
    if principal.has_any(*EVERY_TEAM_ROLES):
        return Scope()
    if principal.has_any(Role.TEAM_STAFF):
        if not principal.team:
            raise NotYourReferral(
                "Ihr Zugang nennt kein Team (Claim 'team'); Überweisungen sind nur für das eigene Team sichtbar.",
                "Your token names no team (claim 'team'); referrals are visible to their own team only.",
            )
        return Scope(team_id=principal.team)
    if not principal.org:
        raise NotYourReferral(
            "Ihr Zugang nennt keinen Träger (Claim 'org'); Träger sehen nur Überweisungen an sich.",
            "Your token names no carrier (claim 'org'); carriers see only referrals addressed to them.",
        )
    return Scope(target_id=principal.org)


def check(scope: Scope, *, target_id: str, team_id: str) -> None:
    """403, not 404: the caller learns only that the referral is not theirs."""
    if scope.target_id is not None and scope.target_id != target_id:
        raise NotYourReferral(
            "Diese Überweisung ist nicht an Ihre Organisation gerichtet.",
            "This referral is not addressed to your organisation.",
        )
    if scope.team_id is not None and scope.team_id not in (team_id, target_id):
        raise NotYourReferral(
            "Diese Überweisung gehört zu einem Anliegen eines anderen Teams.",
            "This referral belongs to another team's concern.",
        )


def actor_org(principal: Principal, scope: Scope) -> str | None:
    """The organisation recorded with a status change: the carrier, else the staff member's team."""
    return scope.target_id or principal.team or principal.org
