"""Intake's access policy, in one place: which role may call which route, and what each caller
then sees. Team staff see their own team's concerns and the persons linked to them; a Kümmerer
what they recorded or raised; carriers and offices only the referrals addressed to them;
coordinators and admins every team's work. The table below is checked against the routes when the
app starts, and `tests/test_access_matrix.py` walks every route x role x own/other team.

A refusal is 403 (not 404): the caller learns that the record is not theirs, not what it holds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session

from qn_infra.access import AccessPolicy, Rule
from qn_infra.auth import Principal, Role
from qn_infra.errors import Forbidden, Invalid

from .city import City
from .concerns.models import Concern
from .persons.models import Person
from .referrals.domain import NotYourReferral
from .referrals.models import Referral
from .signals.models import Signal

R = Role
STAFF = (R.TEAM_STAFF, R.COORDINATOR, R.ADMIN)
RECORDERS = (R.TEAM_STAFF, R.KUEMMERER, R.COORDINATOR, R.ADMIN)
CITY_WIDE = (R.COORDINATOR, R.ADMIN)
REFERRAL_READERS = (*STAFF, R.CARRIER)
EVERYONE = tuple(Role)

TEAM_WORK = "team staff: their team's; coordinators and admins: every team's"
OWN_CONCERNS = "team staff: their team's concerns; a Kümmerer: the concerns they recorded; coordinators, admins: all"
# A Kümmerer notes contacts on what they recorded but does not read concerns back: the history holds
# the team's case notes. What became of their observation, they see on their signal.
OWN_PERSONS = (
    "team staff: persons their team recorded or whose concerns their team holds; a Kümmerer: persons they "
    "recorded; coordinators, admins: all"
)
REFERRAL_SCOPE = (
    "carriers and offices: referrals addressed to them, once announced; team staff: their team's concerns' "
    "referrals and referrals addressed to their team; coordinators, admins: all"
)

POLICY = AccessPolicy(
    {
        "POST /concerns": Rule.roles(
            RECORDERS, scope="anyone who takes concerns; the concern goes to its quarter's team"
        ),
        "GET /concerns/{concern_id}": Rule.roles(STAFF, scope=TEAM_WORK),
        "POST /concerns/{concern_id}/close": Rule.roles(STAFF, scope=TEAM_WORK),
        "POST /concerns/{concern_id}/reopen": Rule.roles(STAFF, scope=TEAM_WORK),
        "POST /concerns/{concern_id}/contacts": Rule.roles(RECORDERS, scope=OWN_CONCERNS),
        "POST /concerns/{concern_id}/referrals": Rule.roles(STAFF, scope=TEAM_WORK),
        "PUT /concerns/{concern_id}/person": Rule.roles(STAFF, scope=TEAM_WORK + "; the person must be theirs too"),
        "GET /topics": Rule.roles(EVERYONE, scope="the city's topic list (no personal data)"),
        "GET /quarters": Rule.roles(EVERYONE, scope="the city's quarters and teams (no personal data)"),
        "GET /vocabulary": Rule.roles(EVERYONE, scope="code lists with labels (no personal data)"),
        "POST /persons": Rule.roles(RECORDERS, scope="the person belongs to the recorder's team (or to the Kümmerer)"),
        "GET /persons": Rule.roles(STAFF, scope="search among " + OWN_PERSONS),
        "GET /persons/{person_id}": Rule.roles(STAFF, scope=OWN_PERSONS),
        "PATCH /persons/{person_id}": Rule.roles(STAFF, scope=OWN_PERSONS),
        "DELETE /persons/{person_id}": Rule.roles(CITY_WIDE, scope="coordinators and admins erase anyone's data"),
        "GET /audit": Rule.roles(CITY_WIDE, scope="the whole audit log"),
        "POST /persons/{person_id}/consents": Rule.roles(STAFF, scope=OWN_PERSONS),
        "GET /persons/{person_id}/consents": Rule.roles(STAFF, scope=OWN_PERSONS),
        "POST /consents/{consent_id}/withdraw": Rule.roles(STAFF, scope="consents of " + OWN_PERSONS),
        "GET /referrals": Rule.roles(REFERRAL_READERS, scope=REFERRAL_SCOPE),
        "GET /referrals/{referral_id}": Rule.roles(REFERRAL_READERS, scope=REFERRAL_SCOPE),
        "GET /referrals/{referral_id}/contact": Rule.roles(
            REFERRAL_READERS, scope=REFERRAL_SCOPE + "; a carrier only under the person's consent naming it"
        ),
        "POST /referrals/{referral_id}/status": Rule.roles(REFERRAL_READERS, scope=REFERRAL_SCOPE),
        "POST /referrals/{referral_id}/legal-basis": Rule.roles(STAFF, scope="the referring team's referrals"),
        "POST /referrals/{referral_id}/next-step": Rule.roles(STAFF, scope="the referring team's referrals"),
        "POST /referrals/{referral_id}/help-request": Rule.roles(
            (R.CARRIER,),
            scope="the youth office, for a referral addressed to it (for minors and families only it asks)",
        ),
        "POST /help-requests/{help_request_id}/next-step": Rule.roles(STAFF, scope=TEAM_WORK),
        "GET /help-requests/{help_request_id}/contact": Rule.roles(
            (R.VOLUNTEER, R.COORDINATOR),
            scope="the volunteer who accepted the task, or the coordinator who accepted it on their behalf (as "
            "match.accepted named their logins, decision 0013); only while the task is live and the person's "
            "neighbourly-help consent is active; audited",
        ),
        "POST /signals": Rule.roles(RECORDERS, scope="any quarter; a concern or person named must be the caller's"),
        "GET /signals": Rule.roles((*STAFF, R.KUEMMERER), scope=TEAM_WORK + "; a Kümmerer: the signals they raised"),
        "GET /signals/{signal_id}": Rule.roles(
            (*STAFF, R.KUEMMERER), scope=TEAM_WORK + "; a Kümmerer: the signals they raised"
        ),
        "GET /follow-ups": Rule.roles(STAFF, scope=TEAM_WORK),
        "GET /follow-ups/{follow_up_id}": Rule.roles(STAFF, scope=TEAM_WORK),
        "POST /follow-ups/{follow_up_id}/done": Rule.roles(STAFF, scope=TEAM_WORK),
        "GET /queue": Rule.roles(STAFF, scope=TEAM_WORK),
        "GET /addresses/resolve": Rule.roles(RECORDERS, scope="the street directory (no personal data)"),
        "GET /addresses/streets": Rule.roles(RECORDERS, scope="the street directory (no personal data)"),
    }
)


class NotYours(Forbidden):
    code = "not_yours"


class OtherTeam(NotYours):
    code = "other_team"


class UnknownTeam(Invalid):
    code = "unknown_team"


@dataclass(frozen=True)
class Viewer:
    """What one caller may see, derived from their token once per request."""

    subject: str
    city_wide: bool
    """Coordinator or admin: every team's work."""
    team: str | None
    """The team of team staff (and of a Kümmerer, if their token names one)."""
    kuemmerer: bool
    """A Kümmerer without a staff role: sees what they recorded or raised themselves."""
    carrier: str | None
    """The carrier or office of a caller with the carrier role and no staff role."""

    @property
    def is_staff(self) -> bool:
        return self.city_wide or (self.team is not None and not self.kuemmerer)


def viewer_of(principal: Principal) -> Viewer:
    """Staff roles win over the Kümmerer and carrier roles when a token holds several."""
    city_wide = principal.has_any(*CITY_WIDE)
    staff = principal.has_any(R.TEAM_STAFF)
    kuemmerer = principal.has_any(R.KUEMMERER) and not (city_wide or staff)
    carrier = principal.org if principal.has_any(R.CARRIER) and not (city_wide or staff or kuemmerer) else None
    if staff and not city_wide and not principal.team:
        raise NotYours(
            "Ihr Zugang ist keinem Team zugeordnet (Claim 'team'); bitte die Administration fragen.",
            "Your account belongs to no team (claim 'team'); please ask your administrator.",
        )
    if principal.has_any(R.CARRIER) and not (city_wide or staff or kuemmerer) and not principal.org:
        raise NotYours(
            "Ihr Zugang nennt keinen Träger (Claim 'org'); Träger sehen nur, was an sie gerichtet ist.",
            "Your token names no carrier (claim 'org'); carriers see only what is addressed to them.",
        )
    return Viewer(principal.subject, city_wide, principal.team, kuemmerer, carrier)


def _other_team(team_id: str) -> OtherTeam:
    return OtherTeam(
        f"Keine Berechtigung: das gehört zu Team '{team_id}', nicht zu Ihrem Team.",
        f"Not allowed: this belongs to team '{team_id}', not to your team.",
    )


# --- concerns -------------------------------------------------------------------------------


def may_see_concern(viewer: Viewer, concern: Concern) -> bool:
    if viewer.city_wide:
        return True
    if viewer.kuemmerer:
        return concern.recorded_by == viewer.subject
    return viewer.team is not None and concern.team_id == viewer.team


def check_concern(viewer: Viewer, concern: Concern) -> None:
    """Refuses another team's concern (403)."""
    if not may_see_concern(viewer, concern):
        if viewer.kuemmerer:
            raise NotYours(
                "Keine Berechtigung: Kümmerer sehen nur Anliegen, die sie selbst erfasst haben.",
                "Not allowed: a Kümmerer sees only the concerns they recorded.",
            )
        raise _other_team(concern.team_id)


def check_team_change(viewer: Viewer, concern: Concern) -> None:
    """Changing a concern (close, refer, link a person) is for its team's staff, not a Kümmerer."""
    if viewer.city_wide:
        return
    if viewer.team is None or viewer.kuemmerer or concern.team_id != viewer.team:
        raise _other_team(concern.team_id)


# --- persons --------------------------------------------------------------------------------


def persons_visible(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: the persons this caller may see."""
    if viewer.city_wide:
        return true()
    if viewer.kuemmerer:
        return Person.created_by == viewer.subject
    if viewer.team is None:
        return false()
    of_team_concern = exists(select(Concern.id).where(Concern.person_id == Person.id, Concern.team_id == viewer.team))
    return or_(Person.team_id == viewer.team, of_team_concern)


def check_person(session: Session, viewer: Viewer, person: Person, *, field: str | None = "person_id") -> None:
    """Refuses a person who belongs to no concern or registration of the caller's team (403)."""
    if viewer.city_wide:
        return
    visible = session.scalar(select(Person.id).where(and_(Person.id == person.id, persons_visible(viewer))))
    if visible is None:
        raise NotYours(
            "Keine Berechtigung: diese Person gehört zu keinem Anliegen Ihres Teams.",
            "Not allowed: this person belongs to no concern of your team.",
            field=field,
        )


# --- referrals ------------------------------------------------------------------------------

AWAITING_CONSENT = "awaiting_consent"
"""A referral held in intake until consent or a legal basis allows it; its target never saw it."""


def referrals_visible(viewer: Viewer) -> ColumnElement[bool]:
    """SQL over Referral joined with its Concern: the referrals this caller may see."""
    if viewer.city_wide:
        return true()
    if viewer.carrier is not None:
        return and_(Referral.target_id == viewer.carrier, Referral.status != AWAITING_CONSENT)
    if viewer.team is None or viewer.kuemmerer:
        return false()
    return or_(Concern.team_id == viewer.team, Referral.target_id == viewer.team)


def check_referral(viewer: Viewer, referral: Referral, concern: Concern) -> None:
    """403, not 404: the caller learns only that the referral is not theirs."""
    if viewer.city_wide:
        return
    if viewer.carrier is not None:
        if referral.target_id != viewer.carrier or referral.status == AWAITING_CONSENT:
            raise NotYourReferral(
                "Diese Überweisung ist nicht an Ihre Organisation gerichtet.",
                "This referral is not addressed to your organisation.",
            )
        return
    if viewer.team is None or viewer.kuemmerer or viewer.team not in (concern.team_id, referral.target_id):
        raise NotYourReferral(
            "Diese Überweisung gehört zu einem Anliegen eines anderen Teams.",
            "This referral belongs to another team's concern.",
        )


def check_referring_team(viewer: Viewer, concern: Concern) -> None:
    """Deciding for a referral (its legal basis, the next step after a decline) is the referring
    team's, not the target's."""
    check_team_change(viewer, concern)


def actor_org(viewer: Viewer) -> str | None:
    """The organisation recorded with a status change: the carrier, else the staff member's team."""
    return viewer.carrier or viewer.team


# --- signals --------------------------------------------------------------------------------


def may_see_signal(viewer: Viewer, signal: Signal) -> bool:
    if viewer.city_wide:
        return True
    if viewer.kuemmerer:
        return signal.raised_by_subject == viewer.subject
    return viewer.team is not None and signal.team_id == viewer.team


def check_signal(viewer: Viewer, signal: Signal) -> None:
    if not may_see_signal(viewer, signal):
        if viewer.kuemmerer:
            raise NotYours(
                "Keine Berechtigung: Kümmerer sehen nur Signale, die sie selbst gemeldet haben.",
                "Not allowed: a Kümmerer sees only the signals they raised.",
            )
        raise _other_team(signal.team_id)


# --- team listings (queue, signals, follow-ups) ---------------------------------------------


def visible_team(viewer: Viewer, team_id: str | None, city: City) -> str | None:
    """The team whose work a listing shows; None means every team (coordinator or admin without
    a team of their own and without `team_id`)."""
    if team_id is not None and team_id not in city.teams:
        known = ", ".join(sorted(city.teams))
        raise UnknownTeam(
            f"Team '{team_id}' gibt es nicht. Bekannte Teams: {known}.",
            f"Unknown team '{team_id}'. Known teams: {known}.",
            field="team_id",
        )
    if viewer.city_wide:
        return team_id or viewer.team
    own = _own_team(viewer)
    if team_id is not None and team_id != own:
        raise OtherTeam(
            f"Keine Berechtigung: Team '{team_id}' ist nicht Ihr Team.",
            f"Not allowed: team '{team_id}' is not your team.",
            field="team_id",
        )
    return own


def acting_team(viewer: Viewer) -> str | None:
    """The only team whose tasks the caller may change; None means any (coordinator, admin)."""
    return None if viewer.city_wide else _own_team(viewer)


def check_team(team_id: str, allowed: str | None) -> None:
    """Refuses work of another team than `allowed` (None allows every team)."""
    if allowed is not None and team_id != allowed:
        raise _other_team(team_id)


def _own_team(viewer: Viewer) -> str:
    if not viewer.team or viewer.kuemmerer:
        raise NotYours(
            "Ihr Zugang ist keinem Team zugeordnet; bitte die Administration fragen.",
            "Your account belongs to no team; please ask your administrator.",
        )
    return viewer.team
