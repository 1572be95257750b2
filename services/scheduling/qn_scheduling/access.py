"""Who may call which route of scheduling, and what they see there: the one table and the one
scope rule of the service.

Sites, the bookings of their rooms and the offers (recurring programme items) are the working
calendar of the drop-in centres: every role that works in them reads it (team staff, Kümmerer,
coordinators, carriers, volunteers, admins); committees see reporting's figures only.
Coordinators and admins enter sites and approve occurrences on holidays. A carrier (Träger)
books, reads and cancels only its own organisation's bookings, and plans and changes only its
own organisation's offers -- the `org` claim of its token -- unless it also holds a staff role;
coordinators, team staff and admins do so for any organisation, office or team. Offers are the
public programme: every reader sees all of them."""

from __future__ import annotations

from qn_infra.access import AccessPolicy, Rule
from qn_infra.auth import Principal, Role

from .bookings.domain import not_your_organisation

STAFF = (Role.COORDINATOR, Role.ADMIN)
BOOKS_FOR_ANYONE = (Role.COORDINATOR, Role.TEAM_STAFF, Role.ADMIN)
BOOKERS = (*BOOKS_FOR_ANYONE, Role.CARRIER)
READERS = (*BOOKERS, Role.KUEMMERER, Role.VOLUNTEER)
CARRIER_OWN = "a carrier only its own organisation's"

POLICY = AccessPolicy(
    {
        "PUT /sites/{site_id}": Rule.roles(STAFF, scope="creates or replaces any site, its rooms and opening hours"),
        "GET /sites": Rule.public_route("every site with rooms and opening hours: public places, no token"),
        "GET /sites/{site_id}": Rule.public_route("any site with rooms and opening hours, no token"),
        "GET /programme": Rule.public_route("the weekly programme of every site (offers only), no token"),
        "GET /sites/{site_id}/programme": Rule.public_route("a site's weekly programme (offers only), no token"),
        "GET /feeds/sites/{site_id}.ics": Rule.public_route("a site's offers as iCalendar, no token"),
        "GET /feeds/sites/{site_id}/rooms/{room_id}.ics": Rule.public_route("a room's offers as iCalendar"),
        "GET /feeds/offers/{offer_id}.ics": Rule.public_route("one offer as iCalendar, no token"),
        "GET /feeds/carriers/{org_id}.ics": Rule.public_route("a carrier's offers as iCalendar, no token"),
        "GET /hsds/services": Rule.public_route("every offer as an Open Referral HSDS 3.0 service, no token"),
        "GET /hsds/organizations": Rule.public_route("the carriers with offers as HSDS 3.0 organizations"),
        "GET /hsds/locations": Rule.public_route("the sites as HSDS 3.0 locations, no token"),
        "POST /sites/{site_id}/rooms/{room_id}/bookings": Rule.roles(
            BOOKERS, scope=f"books a room for any organisation; {CARRIER_OWN} (403 otherwise)"
        ),
        "GET /sites/{site_id}/bookings": Rule.roles(
            READERS, scope=f"every booking of the site; {CARRIER_OWN} (the others are left out)"
        ),
        "GET /bookings/{booking_id}": Rule.roles(READERS, scope=f"any booking; {CARRIER_OWN} (403 otherwise)"),
        "POST /bookings/{booking_id}/cancel": Rule.roles(
            BOOKERS, scope=f"cancels any booking; {CARRIER_OWN} (403 otherwise)"
        ),
        "POST /sites/{site_id}/offers/preview": Rule.roles(
            BOOKERS, scope=f"previews a series for any organisation; {CARRIER_OWN} (403 otherwise)"
        ),
        "POST /sites/{site_id}/offers": Rule.roles(
            BOOKERS, scope=f"creates an offer for any organisation; {CARRIER_OWN} (403 otherwise)"
        ),
        "GET /sites/{site_id}/offers": Rule.roles(READERS, scope="every offer of the site (the public programme)"),
        "GET /offers/{offer_id}": Rule.roles(READERS, scope="any offer (the public programme)"),
        "PATCH /offers/{offer_id}": Rule.roles(BOOKERS, scope=f"edits any offer; {CARRIER_OWN} (403 otherwise)"),
        "GET /offers/{offer_id}/occurrences": Rule.roles(
            READERS, scope="any offer's occurrences; notes only for those who may change them"
        ),
        "POST /occurrences/{occurrence_id}/cancel": Rule.roles(
            BOOKERS, scope=f"cancels an occurrence of any offer; {CARRIER_OWN} (403 otherwise)"
        ),
        "POST /occurrences/{occurrence_id}/move": Rule.roles(
            BOOKERS, scope=f"moves an occurrence of any offer; {CARRIER_OWN} (403 otherwise)"
        ),
        "POST /occurrences/{occurrence_id}/attendance": Rule.roles(
            BOOKERS, scope=f"records attendance of any offer's occurrence; {CARRIER_OWN} (403 otherwise)"
        ),
        "POST /occurrences/{occurrence_id}/confirm": Rule.roles(
            BOOKERS, scope=f"re-confirms an occurrence of any offer; {CARRIER_OWN} (403 otherwise)"
        ),
        "POST /sites/{site_id}/rooms/{room_id}/waitlist": Rule.roles(
            BOOKERS, scope=f"waits for a room for any organisation; {CARRIER_OWN} (403 otherwise)"
        ),
        "POST /occurrences/{occurrence_id}/approve": Rule.roles(
            STAFF, scope="lets an occurrence on a holiday or closure day take place"
        ),
        "POST /sites/{site_id}/rooms/{room_id}/requests": Rule.roles(
            BOOKERS, scope=f"requests a room for any organisation; {CARRIER_OWN} (403 otherwise)"
        ),
        "GET /sites/{site_id}/requests": Rule.roles(
            BOOKERS, scope=f"every room request of the site; {CARRIER_OWN} (the others are left out)"
        ),
        "GET /requests/{request_id}": Rule.roles(BOOKERS, scope=f"any room request; {CARRIER_OWN} (403 otherwise)"),
        "POST /requests/{request_id}/withdraw": Rule.roles(
            BOOKERS, scope=f"withdraws any pending request; {CARRIER_OWN} (403 otherwise)"
        ),
        "POST /requests/{request_id}/approve": Rule.roles(
            STAFF, scope="the site's coordinator approves any room request (its slots are booked)"
        ),
        "POST /requests/{request_id}/reject": Rule.roles(
            STAFF, scope="the site's coordinator rejects any room request with a reason"
        ),
        "POST /occurrences/{occurrence_id}/registrations": Rule.roles(
            BOOKERS, scope=f"registers people for any offer's occurrence; {CARRIER_OWN} offers' (403 otherwise)"
        ),
        "GET /occurrences/{occurrence_id}/registrations": Rule.roles(
            BOOKERS, scope=f"places and registrations of any offer's occurrence; {CARRIER_OWN} offers' (403 otherwise)"
        ),
        "POST /registrations/{registration_id}/cancel": Rule.roles(
            BOOKERS, scope=f"cancels a registration for any offer; {CARRIER_OWN} offers' (403 otherwise)"
        ),
    }
)


def own_org_only(principal: Principal) -> bool:
    """A carrier acts and sees only for its own organisation, unless it also holds a staff role."""
    return principal.has_any(Role.CARRIER) and not principal.has_any(*BOOKS_FOR_ANYONE)


def visible_orgs(principal: Principal) -> frozenset[str] | None:
    """The organisations whose bookings the caller sees: None for all; a carrier its own (none at
    all when its token names no organisation)."""
    if not own_org_only(principal):
        return None
    return frozenset({principal.org}) if principal.org else frozenset()


def may_see(principal: Principal, org_id: str | None) -> bool:
    """The scope rule of scheduling: whether the caller sees or acts on a booking for `org_id`
    (also whether a 409 may name the booking a new one collides with)."""
    orgs = visible_orgs(principal)
    return orgs is None or org_id in orgs


def reads_notes(principal: Principal, org_id: str | None) -> bool:
    """Whether the caller sees a booking's free-text note: those who may cancel it, not everyone
    who reads the calendar (Kümmerer, volunteers)."""
    return principal.has_any(*BOOKERS) and may_see(principal, org_id)


def check_own_booking(principal: Principal, org_id: str | None) -> None:
    """Refuses a carrier a booking of another organisation (403 naming `org_id`)."""
    if not may_see(principal, org_id):
        raise not_your_organisation(principal.org)


def booking_org(requested: str | None, principal: Principal) -> str | None:
    """Whom a new booking is for: the requested organisation, by default the caller's own."""
    org = requested if requested is not None else principal.org
    check_own_booking(principal, org)
    return org
