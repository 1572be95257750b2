"""Closed code lists shared by events. Adding a member is a breaking change for strict consumers,
so it makes a new event version (see docs/contracts.md). Open lists -- topics, skills, help kinds,
outcomes -- are configured per city and travel as plain codes (`Code`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

Code = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$"),
    Field(description="A lower-case code from a configured code list."),
]
"""A code from an open, city-configured list (topic, skill, help kind, outcome)."""

QuarterId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"),
    Field(description="Id of a quarter (Sozialraum, planning area) from the city's configuration."),
]
"""A quarter id, e.g. `dessau-innenstadt-sued` or Berlin's planning area `01100309`."""

OrgId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$"),
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
    APPLIED = "applied"
    ACTIVE = "active"
    PAUSED = "paused"
    INACTIVE = "inactive"
    WITHDRAWN = "withdrawn"


class RoomKind(StrEnum):
    OFFICE = "office"
    COUNSELLING = "counselling"
    GROUP = "group"
    KITCHEN = "kitchen"
    OPEN_AREA = "open_area"
    MEETING = "meeting"  # Begegnungsraum (Dessau-Roßlau's concept, 4.3); added in v1.2


class OfferKind(StrEnum):
    """What kind of programme item an offer is (added in v1.2)."""

    LUNCH_TABLE = "lunch_table"
    COUNSELLING = "counselling"
    GROUP = "group"
    COURSE = "course"
    OPEN_CAFE = "open_cafe"
    LEISURE = "leisure"
    OFFICE_HOURS = "office_hours"  # the coordinator's regular presence (Sprechzeiten)


class Weekday(StrEnum):
    MONDAY = "mo"
    TUESDAY = "tu"
    WEDNESDAY = "we"
    THURSDAY = "th"
    FRIDAY = "fr"
    SATURDAY = "sa"
    SUNDAY = "su"
