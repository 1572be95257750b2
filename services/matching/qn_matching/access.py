"""Who may call which route of matching, and what they see there: the one table and the one
scope rule of the service.

Coordinators and admins see every volunteer, help request and proposal, and answer for any
volunteer (a volunteer may phone in). A volunteer sees only their own record and their own
proposals and tasks: the record whose linked login (`account`) is the token's subject. Team
staff, Kümmerer and carriers ask for neighbourly help through intake; committees see reporting's
figures only. None of them has a route here."""

from __future__ import annotations

from qn_infra.access import AccessPolicy, Rule
from qn_infra.auth import Principal, Role

from .matches.domain import not_your_proposal
from .volunteers.domain import not_your_record

STAFF = (Role.COORDINATOR, Role.ADMIN)
STAFF_AND_VOLUNTEERS = (*STAFF, Role.VOLUNTEER)
OWN = "coordinators and admins: any volunteer's; a volunteer: only their own (403 otherwise)"

POLICY = AccessPolicy(
    {
        "POST /volunteers": Rule.roles(STAFF, scope="registers a volunteer in any quarter (active: their approval)"),
        "POST /volunteers/applications": Rule.public_route(
            "self-registration without a login: a prospective volunteer; answers a reference, echoes nothing"
        ),
        "GET /volunteers/me": Rule.roles([Role.VOLUNTEER], scope="the caller's own record (their login linked)"),
        "PATCH /volunteers/{volunteer_id}": Rule.roles(
            STAFF_AND_VOLUNTEERS, scope=f"changes skills, languages, availability; {OWN}"
        ),
        "POST /volunteers/{volunteer_id}/absences": Rule.roles(
            STAFF_AND_VOLUNTEERS, scope=f"a pause with a date range (holiday, illness); {OWN}"
        ),
        "GET /volunteers": Rule.roles(STAFF, scope="every volunteer, with name, contact and availability"),
        "GET /volunteers/{volunteer_id}": Rule.roles(STAFF_AND_VOLUNTEERS, scope=f"a volunteer's record; {OWN}"),
        "POST /volunteers/{volunteer_id}/status": Rule.roles(
            STAFF, scope="approves or denies an applicant; pauses, reactivates or archives any volunteer"
        ),
        "POST /volunteers/{volunteer_id}/vetting": Rule.roles(
            STAFF, scope="records an inspected police certificate of any volunteer (date, outcome, re-check)"
        ),
        "GET /volunteers/me/matches": Rule.roles(
            [Role.VOLUNTEER], scope="the caller's own proposals and tasks (their login linked to a volunteer)"
        ),
        "GET /volunteers/{volunteer_id}/matches": Rule.roles(
            STAFF_AND_VOLUNTEERS, scope=f"a volunteer's proposals and tasks; {OWN}"
        ),
        "GET /help-requests": Rule.roles(
            STAFF, scope="every help request with its proposals (the coordinator's to-do list)"
        ),
        "GET /help-requests/{help_request_id}": Rule.roles(STAFF, scope="any help request with its proposals"),
        "POST /help-requests/{help_request_id}/assign": Rule.roles(
            STAFF, scope="assigns any volunteer by hand to any open request (hard rules hold; soft ones overridden)"
        ),
        "POST /help-requests/{help_request_id}/offers": Rule.roles(
            STAFF, scope="offers any open request to several volunteers at once (first to accept gets it)"
        ),
        "GET /matches": Rule.roles(STAFF, scope="every proposal, of any volunteer"),
        "GET /matches/{match_id}": Rule.roles(STAFF_AND_VOLUNTEERS, scope=f"a proposal; {OWN}"),
        "POST /matches/{match_id}/accept": Rule.roles(STAFF_AND_VOLUNTEERS, scope=f"accepts a proposal; {OWN}"),
        "POST /matches/{match_id}/decline": Rule.roles(STAFF_AND_VOLUNTEERS, scope=f"declines a proposal; {OWN}"),
        "POST /matches/{match_id}/complete": Rule.roles(
            STAFF_AND_VOLUNTEERS, scope=f"completes an accepted task with its last hours; {OWN}"
        ),
        "GET /matches/{match_id}/log": Rule.roles(
            STAFF_AND_VOLUNTEERS, scope=f"what was done on a task and on whose behalf; {OWN}"
        ),
        "POST /matches/{match_id}/hours": Rule.roles(
            STAFF_AND_VOLUNTEERS,
            scope=f"logs hours on a task; {OWN}; paper slips: coordinators and admins only",
        ),
        "GET /matches/{match_id}/hours": Rule.roles(STAFF_AND_VOLUNTEERS, scope=f"a task's hours; {OWN}"),
        "PUT /matches/{match_id}/appointment": Rule.roles(
            STAFF_AND_VOLUNTEERS, scope=f"notes when an accepted task takes place; {OWN}"
        ),
        "POST /volunteers/{volunteer_id}/calendar-feed": Rule.roles(
            STAFF_AND_VOLUNTEERS, scope=f"makes or renews a volunteer's secret calendar link; {OWN}"
        ),
        "DELETE /volunteers/{volunteer_id}/calendar-feed": Rule.roles(
            STAFF_AND_VOLUNTEERS, scope=f"revokes a volunteer's calendar link; {OWN}"
        ),
        "GET /calendar-feeds/{token}.ics": Rule.public_route(
            "a volunteer's tasks as iCalendar for whoever holds the secret link: kind, quarter, time -- no "
            "name, no address"
        ),
        "GET /reminders": Rule.roles(STAFF, scope="every reminder and what became of it (why one was not sent)"),
        "GET /hours": Rule.roles(STAFF, scope="every volunteer's hours entries (the approval queue)"),
        "POST /hours/{entry_id}/approve": Rule.roles(STAFF, scope="approves any volunteer's hours entry"),
        "POST /hours/{entry_id}/return": Rule.roles(STAFF, scope="returns any volunteer's hours entry"),
    }
)


def sees_every_volunteer(principal: Principal) -> bool:
    """Coordinators and admins see every volunteer's record and proposals and act for them."""
    return principal.has_any(*STAFF)


def is_own_record(principal: Principal, account: str | None) -> bool:
    """A volunteer record is the caller's when its linked login is the caller's token subject."""
    return principal.has_any(Role.VOLUNTEER) and account is not None and account == principal.subject


def may_see(principal: Principal, account: str | None) -> bool:
    """The scope rule of matching: staff see every volunteer, a volunteer only themself."""
    return sees_every_volunteer(principal) or is_own_record(principal, account)


def check_sees_volunteer(principal: Principal, account: str | None) -> None:
    """Refuses a volunteer another volunteer's record, proposals or tasks (403)."""
    if not may_see(principal, account):
        raise not_your_record()


def check_answers_for(principal: Principal, account: str | None) -> None:
    """Refuses a volunteer an answer to a proposal addressed to someone else (403)."""
    if not may_see(principal, account):
        raise not_your_proposal()
