"""Code lists shared by events.

Most lists may grow within a version (decision 0009): an event field of such a list is declared with
`Annotated[str, Growable(List)]`. A known value arrives as the enum member; a value a newer producer added arrives as
its plain code (a `str`), so a consumer never fails on it and handles it like "other". Two lists are
closed, because a new member would change what the others mean: `AgeBand` (the bands partition
ages) and `Weekday`. City-configured lists -- topics, skills, help kinds, outcomes -- travel as
plain codes (`Code`)."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated

from annotated_types import GroupedMetadata
from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema

CODE_PATTERN = r"^[a-z0-9][a-z0-9_]{0,63}$"

Code = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$"),
    Field(description="A lower-case code from a configured code list."),
]
"""A code from an open, city-configured list (topic, skill, help kind, outcome)."""


class Growable(GroupedMetadata):
    """Marks an event field whose code list may grow within a version (decision 0009):
    `channel: Annotated[str, Growable(Channel)]`.

    Validates any code of the list's shape: known codes become the enum member (so `is` and `==`
    comparisons work), unknown ones stay plain strings. The JSON Schema names the known members as
    `x-extensible-enum` (the convention of Zalando's API guidelines) instead of a closed `enum`, so
    a consumer that validates against a copy of the schema does not reject a newer member either.
    (The field's declared type is `str`: that is what a newer member is.)"""

    def __init__(self, code_list: type[StrEnum]) -> None:
        self.code_list = code_list

    def __iter__(self) -> Iterator[object]:
        code_list = self.code_list

        def known_member_or_code(value: str) -> str:
            try:
                return code_list(value)
            except ValueError:
                return value

        yield StringConstraints(pattern=CODE_PATTERN)
        yield AfterValidator(known_member_or_code)
        yield WithJsonSchema(
            {"type": "string", "pattern": CODE_PATTERN, "x-extensible-enum": [m.value for m in code_list]}
        )


def is_known(code_list: type[StrEnum], value: str) -> bool:
    """Whether a value of a growable list is one this version of the contracts knows."""
    return isinstance(value, code_list)


QuarterId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"),
    Field(description="Id of a quarter (Sozialraum, planning area) from the city's configuration."),
]
"""A quarter id, e.g. `dessau-innenstadt-sued` or Berlin's planning area `01100309`."""

ORG_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
"""No "." (nor anything else a NATS subject token cannot hold): events addressed to an
organisation carry its id as their subject's last token (decision 0010)."""

OrgId = Annotated[
    str,
    StringConstraints(pattern=ORG_ID_PATTERN),
    Field(description="Id of a carrier, office or team from the city's configuration."),
]


class Channel(StrEnum):
    """How a concern reached the team."""

    WALK_IN = "walk_in"
    PHONE = "phone"
    HOME_VISIT = "home_visit"
    ONLINE_FORM = "online_form"
    KUEMMERER_OBSERVATION = "kuemmerer_observation"
    DISCHARGE_NOTICE = "discharge_notice"
    OFFICE_REFERRAL = "office_referral"


class Urgency(StrEnum):
    """sofort / zeitnah / planbar."""

    IMMEDIATE = "immediate"
    SOON = "soon"
    PLANNABLE = "plannable"


class AgeBand(StrEnum):
    """The coarsest age information events may carry."""

    UNDER_18 = "under_18"
    AGE_18_26 = "18_26"
    AGE_27_64 = "27_64"
    AGE_65_79 = "65_79"
    AGE_80_PLUS = "80_plus"


class TargetKind(StrEnum):
    """Who a referral is addressed to."""

    CARRIER = "carrier"
    OFFICE = "office"
    TEAM = "team"


class ReferralStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered_in_error"


class ReferralReason(StrEnum):
    """Outcome and decline reasons of a referral."""

    GOT_HELP = "got_help"
    NOT_ELIGIBLE = "not_eligible"
    NO_CAPACITY = "no_capacity"
    OUT_OF_AREA = "out_of_area"
    COULD_NOT_CONTACT = "could_not_contact"
    RESIDENT_DECLINED = "resident_declined"
    NO_LONGER_INTERESTED = "no_longer_interested"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    EXPIRED = "expired"


class DecidedBy(StrEnum):
    CARRIER = "carrier"
    RESIDENT = "resident"
    TEAM = "team"


class SignalType(StrEnum):
    """Early-warning signals (Frühwarnsystem)."""

    LONELINESS = "loneliness"
    NEGLECT = "neglect"
    DISCHARGE_WITHOUT_FOLLOW_UP = "discharge_without_follow_up"
    NO_CONTACT = "no_contact"
    DEBT_CRISIS = "debt_crisis"
    HOUSING_LOSS_RISK = "housing_loss_risk"


class RaisedBy(StrEnum):
    STAFF = "staff"
    KUEMMERER = "kuemmerer"
    RULE = "rule"


class ConsentPurpose(StrEnum):
    REFERRAL = "referral"
    NEIGHBOURLY_HELP = "neighbourly_help"
    FOLLOW_UP_CONTACT = "follow_up_contact"


class VolunteerStatus(StrEnum):
    """A volunteer's lifecycle: prospective -> approved -> active <-> paused -> inactive, or denied
    (1.3). `applied` and `withdrawn` are the 1.0 names, kept because removing a member is breaking;
    matching no longer produces them (its rows became `prospective` and `inactive`)."""

    PROSPECTIVE = "prospective"
    """Registered (possibly by themself), not yet reviewed; never proposed."""
    APPROVED = "approved"
    """Reviewed and approved by a coordinator; proposed once active."""
    ACTIVE = "active"
    PAUSED = "paused"
    INACTIVE = "inactive"
    """Archived: moved, quit, dismissed, deceased or opted out (the reason stays in matching)."""
    DENIED = "denied"
    """Not approved after review."""
    APPLIED = "applied"
    """1.0's name for `prospective`; no longer produced."""
    WITHDRAWN = "withdrawn"
    """1.0's name for an engagement the volunteer ended; now `inactive`; no longer produced."""


class RoomKind(StrEnum):
    OFFICE = "office"
    COUNSELLING = "counselling"
    GROUP = "group"
    KITCHEN = "kitchen"
    OPEN_AREA = "open_area"
    MEETING = "meeting"  # Begegnungsraum (Dessau-Roßlau's concept, 4.3); added in 1.3


class OfferKind(StrEnum):
    """What kind of programme item an offer is (added in 1.3)."""

    LUNCH_TABLE = "lunch_table"
    COUNSELLING = "counselling"
    GROUP = "group"
    COURSE = "course"
    OPEN_CAFE = "open_cafe"
    LEISURE = "leisure"
    OFFICE_HOURS = "office_hours"  # the coordinator's regular presence (Sprechzeiten)


class ReportFormat(StrEnum):
    HTML = "html"
    CSV = "csv"
    JSON = "json"
    PDF = "pdf"  # 1.7: the printed period report


class HoursSource(StrEnum):
    """Where a task's approved hours come from (matching, decision 0013)."""

    APP = "app"
    """Logged in the app by the volunteer, or by a coordinator on their behalf."""
    PAPER = "paper"
    """From a paper slip a coordinator entered later."""
    MIXED = "mixed"
    """Some of each."""


class Weekday(StrEnum):
    MONDAY = "mo"
    TUESDAY = "tu"
    WEDNESDAY = "we"
    THURSDAY = "th"
    FRIDAY = "fr"
    SATURDAY = "sa"
    SUNDAY = "su"
