"""The portal's access policy, in one table: which role may open which page or send which form.
A person who is not signed in is sent to the sign-in page; a signed-in person without one of the
roles gets a 403 page. Every form (every POST) is also checked for the session's CSRF token by the
same guard. What a person then *sees* on a page is decided by the service behind it, which gets
their token: intake answers 403 for another team's concern, and the portal shows that.

The table is checked against the routes when the app starts (`PortalPolicy.verify`), and
`tests/test_access_matrix.py` walks every route x role."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Depends, FastAPI, Request

from qn_infra.access import Rule, api_routes
from qn_infra.auth import Role

from .session import CSRF_FIELD, CSRF_HEADER, SignedIn, csrf_ok, signed_in

R = Role
STAFF = (R.TEAM_STAFF, R.COORDINATOR, R.ADMIN)
RECORDERS = (R.TEAM_STAFF, R.KUEMMERER, R.COORDINATOR, R.ADMIN)
CARRIERS = (R.CARRIER,)
CITY_WIDE = (R.COORDINATOR, R.ADMIN)
ANYONE_SIGNED_IN = tuple(Role)
VOLUNTEERS = (R.VOLUNTEER,)
VOLUNTEERS_AND_COORDINATORS = (R.VOLUNTEER, *CITY_WIDE)

# neighbourly help (matching's API): what a person sees there is decided by matching, which gets
# their token -- a volunteer only their own proposals and tasks, coordinators every volunteer's
MATCHING_RULES: dict[str, Rule] = {
    "GET /mitmachen": Rule.public_route("the self-registration form for newcomers (no login; no data)"),
    "POST /mitmachen": Rule.public_route("sends a self-registration to matching; answers only its reference"),
    "GET /ehrenamtliche": Rule.roles(CITY_WIDE, scope="matching's volunteers, by status (applications first)"),
    "GET /ehrenamtliche/{volunteer_id}": Rule.roles(CITY_WIDE, scope="a volunteer's record and proposals"),
    "POST /ehrenamtliche/{volunteer_id}/status": Rule.roles(
        CITY_WIDE, scope="approves, denies, starts, pauses or archives a volunteer"
    ),
    "POST /ehrenamtliche/{volunteer_id}/fuehrungszeugnis": Rule.roles(
        CITY_WIDE, scope="records an inspected police certificate (date, outcome, re-check; never its content)"
    ),
    "POST /ehrenamtliche/{volunteer_id}/verfuegbarkeit": Rule.roles(
        CITY_WIDE, scope="changes a volunteer's weekly availability (one who phones in)"
    ),
    "GET /offene-anfragen": Rule.roles(CITY_WIDE, scope="help requests nobody could be found for"),
    "GET /anfragen/{help_request_id}": Rule.roles(
        CITY_WIDE, scope="a help request, whom matching asked and why, and the active volunteers to choose from"
    ),
    "POST /anfragen/{help_request_id}/zuteilen": Rule.roles(
        CITY_WIDE, scope="assigns one volunteer by hand (matching checks the rules; soft ones overridden on purpose)"
    ),
    "POST /anfragen/{help_request_id}/anbieten": Rule.roles(
        CITY_WIDE, scope="offers the request to several volunteers at once (the first to accept gets it)"
    ),
    "GET /vorschlaege": Rule.roles(CITY_WIDE, scope="every proposal and task, by status"),
    "GET /stunden": Rule.roles(CITY_WIDE, scope="hours waiting for approval"),
    "POST /stunden/{entry_id}/freigeben": Rule.roles(CITY_WIDE, scope="approves an hours entry"),
    "POST /stunden/{entry_id}/zurueckgeben": Rule.roles(CITY_WIDE, scope="returns an hours entry with a reason"),
    "GET /meine-einsaetze": Rule.roles(VOLUNTEERS, scope="the volunteer's own proposals and tasks"),
    "POST /meine-einsaetze/kalender": Rule.roles(
        VOLUNTEERS, scope="makes or renews the own secret calendar link (matching finds the volunteer by login)"
    ),
    "POST /meine-einsaetze/kalender/widerrufen": Rule.roles(VOLUNTEERS, scope="revokes the own calendar link"),
    "GET /einsaetze/{match_id}": Rule.roles(
        VOLUNTEERS_AND_COORDINATORS,
        scope="a proposal or task: a volunteer's own (matching answers 403 otherwise); the address from intake "
        "only to who accepted it (intake decides, logs)",
    ),
    "POST /einsaetze/{match_id}/annehmen": Rule.roles(
        VOLUNTEERS_AND_COORDINATORS, scope="accepts a proposal: one's own, or a coordinator for the volunteer"
    ),
    "POST /einsaetze/{match_id}/ablehnen": Rule.roles(
        VOLUNTEERS_AND_COORDINATORS, scope="declines a proposal with a reason: one's own, or for the volunteer"
    ),
    "POST /einsaetze/{match_id}/stunden": Rule.roles(
        VOLUNTEERS_AND_COORDINATORS, scope="logs hours on a task; coordinators also from a paper slip"
    ),
    "POST /einsaetze/{match_id}/abschliessen": Rule.roles(
        VOLUNTEERS_AND_COORDINATORS, scope="completes an accepted task, with its last hours"
    ),
}
# drop-in centres: who plans their week (scheduling lets them book for any organisation)
SCHEDULERS = (R.COORDINATOR, R.TEAM_STAFF, R.ADMIN)
FIGURE_READERS = (R.COMMITTEE, R.COORDINATOR, R.ADMIN)

POLICY_RULES: dict[str, Rule] = {
    "GET /": Rule.public_route("the start: the sign-in page, or the signed-in person's first screen"),
    "GET /healthz": Rule.public_route("liveness probe"),
    "GET /readyz": Rule.public_route("readiness probe: does intake answer (no data)"),
    "GET /metrics": Rule.public_route("Prometheus metrics of this process (no personal data)"),
    "GET /sprache": Rule.public_route("switches the language (kept in the session; no data)"),
    "GET /anmelden": Rule.public_route("the sign-in page"),
    "GET /anmelden/oidc": Rule.public_route("starts the city's sign-in (OpenID Connect with PKCE)"),
    "GET /anmelden/rueckkehr": Rule.public_route("where the identity provider sends the person back"),
    "POST /anmelden/lokal": Rule.public_route("local development sign-in; only when the local key is configured"),
    "POST /abmelden": Rule.roles(ANYONE_SIGNED_IN, scope="ends the own session"),
    "GET /start": Rule.roles(ANYONE_SIGNED_IN, scope="the first screen for the person's role"),
    "GET /warteschlange": Rule.roles(STAFF, scope="intake's work queue: the own team's; coordinators every team's"),
    "GET /anliegen/neu": Rule.roles(STAFF, scope="the form; no data"),
    "POST /anliegen": Rule.roles(STAFF, scope="records a concern for the own team (intake decides the team)"),
    "GET /anliegen/{concern_id}": Rule.roles(STAFF, scope="a concern of the own team (intake answers 403 otherwise)"),
    "GET /personen": Rule.roles(STAFF, scope="intake's person search: persons of the own team (intake decides)"),
    "POST /personen": Rule.roles(STAFF, scope="adds a person to the own team, with intake's duplicate suggestion"),
    "GET /protokoll": Rule.roles(CITY_WIDE, scope="intake's audit log of reads of personal data"),
    "GET /personen/{person_id}/loeschen": Rule.roles(CITY_WIDE, scope="the confirmation page before erasing a person"),
    "POST /personen/{person_id}/loeschen": Rule.roles(CITY_WIDE, scope="erases a person's data in every service"),
    "GET /adressen/vorschlaege": Rule.roles(RECORDERS, scope="street names from intake's directory (no data)"),
    "GET /adressen/quartier": Rule.roles(RECORDERS, scope="the quarter of an address (no personal data)"),
    "GET /signale": Rule.roles(
        (R.KUEMMERER, *STAFF), scope="a Kümmerer: the signals they raised; staff: their team's (intake decides)"
    ),
    "GET /signale/neu": Rule.roles(RECORDERS, scope="the form; no data"),
    "POST /signale": Rule.roles(RECORDERS, scope="raises an early-warning signal for a quarter or address"),
    "GET /vermittlungen": Rule.roles(CARRIERS, scope="the referrals addressed to the own carrier or office"),
    "GET /vermittlungen/{referral_id}": Rule.roles(CARRIERS, scope="a referral addressed to the own carrier"),
    "GET /vermittlungen/{referral_id}/kontakt": Rule.roles(
        CARRIERS, scope="the person's contact details, only under consent naming the carrier (intake decides, logs)"
    ),
    "POST /vermittlungen/{referral_id}/status": Rule.roles(CARRIERS, scope="answers a referral to the own carrier"),
    **MATCHING_RULES,
    # drop-in centres (scheduling); the paths of one occurrence carry its offer
    "GET /treffs": Rule.roles(SCHEDULERS, scope="the drop-in centres (public places, no personal data)"),
    "GET /treffs/{site_id}/woche": Rule.roles(SCHEDULERS, scope="a centre's week of rooms, offers and bookings"),
    "GET /treffs/{site_id}/angebote/neu": Rule.roles(SCHEDULERS, scope="the series form with scheduling's preview"),
    "POST /treffs/{site_id}/angebote": Rule.roles(SCHEDULERS, scope="previews or saves a series (scheduling decides)"),
    "GET /angebote/{offer_id}/termine/{occurrence_id}": Rule.roles(SCHEDULERS, scope="one occurrence and its forms"),
    "POST /angebote/{offer_id}/termine/{occurrence_id}/teilnahme": Rule.roles(
        SCHEDULERS, scope="records how many came (counts only)"
    ),
    "POST /angebote/{offer_id}/termine/{occurrence_id}/absage": Rule.roles(
        SCHEDULERS, scope="cancels one occurrence with a reason"
    ),
    "POST /angebote/{offer_id}/termine/{occurrence_id}/verlegung": Rule.roles(
        SCHEDULERS, scope="moves one occurrence with a reason"
    ),
    "GET /treffs/{site_id}/schliesszeiten": Rule.roles(CITY_WIDE, scope="a centre's closures"),
    "POST /treffs/{site_id}/schliesszeiten": Rule.roles(CITY_WIDE, scope="adds or removes a closure of a centre"),
    "GET /beratungszeiten": Rule.roles(CARRIERS, scope="the own organisation's offers and bookings in the centres"),
    "GET /raumanfragen": Rule.roles(CARRIERS, scope="the form and the own organisation's room requests"),
    "POST /raumanfragen": Rule.roles(CARRIERS, scope="asks for a room for the own organisation (scheduling decides)"),
    "POST /raumanfragen/{request_id}/zurueckziehen": Rule.roles(
        CARRIERS, scope="withdraws a pending room request of the own organisation (scheduling answers 403 otherwise)"
    ),
    "GET /treffs/{site_id}/raumanfragen": Rule.roles(CITY_WIDE, scope="a centre's pending room requests"),
    "POST /treffs/{site_id}/raumanfragen/{request_id}/genehmigen": Rule.roles(
        CITY_WIDE, scope="approves a room request (scheduling books its slots)"
    ),
    "POST /treffs/{site_id}/raumanfragen/{request_id}/ablehnen": Rule.roles(
        CITY_WIDE, scope="declines a room request with a reason"
    ),
    "GET /kennzahlen": Rule.roles(FIGURE_READERS, scope="reporting's protected tables (no figure points at a person)"),
}


class NotSignedIn(Exception):
    """No session (or it ran out): the app sends the person to the sign-in page."""


class NotAllowed(Exception):
    """Signed in, but the page is not for their role: the app answers with a 403 page."""


class BadCsrf(Exception):
    """A form without the session's CSRF token: the app answers 403 and nothing happens."""


async def _check_csrf(request: Request) -> None:
    if request.method != "POST":
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        sent = form.get(CSRF_FIELD)
    if not csrf_ok(request, sent):
        raise BadCsrf()


class PortalPolicy:
    def __init__(self, rules: Mapping[str, Rule]) -> None:
        self.rules = dict(rules)
        self._guards: dict[str, Any] = {}

    def guard(self, key: str) -> Any:
        """The dependency of page or form `key`: the signed-in person (a form: with a valid CSRF token)."""
        rule = self.rules[key]
        if key not in self._guards:
            wanted = tuple(sorted(rule.allowed))

            async def check(request: Request) -> SignedIn | None:
                user = signed_in(request, request.app.state.clock.now().timestamp())
                if not rule.public:
                    if user is None:
                        raise NotSignedIn()
                    if not user.has_any(*wanted):
                        raise NotAllowed()
                await _check_csrf(request)
                return user

            check.__qn_route_key__ = key  # type: ignore[attr-defined]
            self._guards[key] = Depends(check)
        return self._guards[key]

    def verify(self, app: FastAPI) -> None:
        """Every route has a rule and uses its own guard (so every form checks CSRF); every rule a route."""
        problems: list[str] = []
        seen: set[str] = set()
        for path, methods, route in api_routes(app):
            for method in sorted(methods):
                key = f"{method} {path}"
                seen.add(key)
                keys = {getattr(d.call, "__qn_route_key__", None) for d in route.dependant.dependencies}
                if key not in self.rules:
                    problems.append(f"{key}: no rule in the portal's access policy")
                elif key not in keys:
                    problems.append(f"{key}: must use POLICY.guard({key!r})")
        problems += [f"{key}: rule without a route" for key in self.rules if key not in seen]
        if problems:
            raise RuntimeError("portal access policy and routes disagree:\n  " + "\n  ".join(problems))


POLICY = PortalPolicy(POLICY_RULES)
