"""Children go to the youth office: a minor's concern (known by its age band, or by the person's
birth year) and a family's concern go to the youth office (ASD) whatever their topics, and no
volunteer is asked to help a minor unless the youth office asks for it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from qn_testkit.streams import read_stream
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.integration

YOUTH_OFFICE = "jugendamt-asd"
HOME = {"street": "Franzstraße", "house_number": "147"}


def post(intake: Any, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = intake.client.post(path, json=body, headers=headers or intake.staff())
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


def child(intake: Any, age: int = 12) -> dict[str, Any]:
    """A child of `age` this year (the test's own day, not the real one)."""
    born = intake.clock.now().year - age
    return post(
        intake, "/persons", {"given_name": "Mia", "family_name": "Kowalski", "birth_year": born, "address": HOME}
    )


def youth_office(intake: Any) -> dict[str, str]:
    return intake.tokens.headers("carrier", org=YOUTH_OFFICE, subject="asd-sachbearbeitung")


def events(intake: Any, ce_type: str, concern_id: str, *, expect: int) -> list[dict[str, Any]]:
    """Waits until exactly `expect` events of a type for the concern are on the stream."""

    def found() -> list[dict[str, Any]] | None:
        bodies = [
            m.body
            for m in read_stream(intake.nats_url, "QN_INTAKE")
            if m.headers.get("ce-type") == ce_type
            and isinstance(m.body, dict)
            and m.body.get("concern_id") == concern_id
        ]
        return bodies if len(bodies) == expect else None

    return eventually(found, what=f"{expect} x {ce_type}")  # type: ignore[no-any-return]


def outbox_types(intake: Any) -> list[str]:
    """Every event type intake has written to its outbox -- the events it will ever publish."""
    engine = create_engine(intake.settings.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT subject FROM outbox")).scalars().all()
    finally:
        engine.dispose()
    return list(rows)


@pytest.mark.across_dates
def test_a_lonely_child_gets_an_age_band_from_the_birth_year_and_goes_to_the_youth_office_not_to_a_volunteer(
    intake: Any,
) -> None:
    mia = child(intake)
    post(
        intake,
        f"/persons/{mia['id']}/consents",
        {"purpose": "neighbourly_help", "given_by": "guardian", "form": "written"},
    )
    concern = post(
        intake,
        "/concerns",
        {"channel": "phone", "topics": ["einsamkeit"], "urgency": "soon", "person_id": mia["id"]},
    )

    assert concern["age_band"] == "under_18"
    assert concern["help_requests"] == []  # no volunteer is asked for a child
    [referral] = concern["referrals"]
    assert (referral["target_id"], referral["rule_id"], referral["topics"]) == (
        YOUTH_OFFICE,
        "child-protection",
        ["einsamkeit"],
    )
    # the child's data does not leave intake without the guardian's consent or a legal basis
    assert referral["status"] == "awaiting_consent"
    recorded = events(intake, "qn.intake.concern.recorded.v1", concern["id"], expect=1)
    assert [e["age_band"] for e in recorded] == ["under_18"]
    assert "qn.v1.intake.help.requested" not in outbox_types(intake)


@pytest.mark.across_dates
def test_a_person_who_may_still_be_17_counts_as_a_minor(intake: Any) -> None:
    maybe_17 = child(intake, age=18)  # born 18 years ago this calendar year: 17 until the birthday
    concern = post(
        intake,
        "/concerns",
        {"channel": "walk_in", "topics": ["schulden"], "urgency": "soon", "person_id": maybe_17["id"]},
    )
    assert concern["age_band"] == "under_18"
    assert [r["target_id"] for r in concern["referrals"]] == [YOUTH_OFFICE]


def test_an_age_band_the_birth_year_rules_out_is_refused_naming_the_field(intake: Any) -> None:
    mia = child(intake)
    response = intake.client.post(
        "/concerns",
        json={
            "channel": "phone",
            "topics": ["schulden"],
            "urgency": "soon",
            "person_id": mia["id"],
            "age_band": "65_79",
        },
        headers=intake.staff(),
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "age_band"
    assert "Geburtsjahr" in response.json()["detail"]


def test_a_familys_concern_goes_to_the_youth_office_whatever_its_other_topics(intake: Any) -> None:
    concern = post(
        intake,
        "/concerns",
        {
            "channel": "walk_in",
            "topics": ["schulden", "kinder_jugend_familie", "einsamkeit"],
            "urgency": "soon",
            "quarter_id": "rosslau",
        },
    )
    assert [(r["target_id"], sorted(r["topics"])) for r in concern["referrals"]] == [
        (YOUTH_OFFICE, ["einsamkeit", "kinder_jugend_familie", "schulden"])
    ]
    assert concern["help_requests"] == []


def test_staff_state_the_child_protection_mandate_and_the_youth_office_sees_it_with_its_basis(intake: Any) -> None:
    mia = child(intake)
    concern = post(
        intake,
        "/concerns",
        {"channel": "home_visit", "topics": ["einsamkeit"], "urgency": "immediate", "person_id": mia["id"]},
    )
    referral_id = concern["referrals"][0]["id"]
    assert intake.client.get(f"/referrals/{referral_id}", headers=youth_office(intake)).status_code == 403

    stated = post(
        intake,
        f"/referrals/{referral_id}/legal-basis",
        {"basis": "sgb_viii_8a", "note": "Kind allein in der Wohnung angetroffen, Eltern nicht erreichbar"},
    )
    assert (stated["status"], stated["legal_basis"]["code"]) == ("requested", "sgb_viii_8a")
    assert stated["legal_basis_note"].startswith("Kind allein")

    seen = intake.client.get(f"/referrals/{referral_id}", headers=youth_office(intake)).json()
    assert seen["legal_basis"]["de"].startswith("§ 8a SGB VIII")
    assert seen["legal_basis_note"] is None  # the team's reasoning stays with the team
    contact = intake.client.get(f"/referrals/{referral_id}/contact", headers=youth_office(intake))
    assert contact.status_code == 200 and contact.json()["given_name"] == "Mia"
    [announced] = events(intake, "qn.intake.referral.requested.v1", concern["id"], expect=1)
    assert (announced["legal_basis"], announced["age_band"]) == ("sgb_viii_8a", "under_18")
    assert "Kind allein" not in str(announced)


@pytest.mark.parametrize(
    ("target", "basis", "says"),
    [
        ("caritas-dessau", "sgb_viii_8a", "Jugendamt"),
        ("caritas-dessau", "sgb_x_69", "Amt"),
        ("caritas-dessau", "consent", "gdpr_9_2_c"),  # a consent is recorded as a consent: not a choice here
    ],
)
def test_a_legal_basis_that_does_not_fit_the_target_is_refused_naming_the_field(
    intake: Any, target: str, basis: str, says: str
) -> None:
    adult = post(intake, "/persons", {"family_name": "Schulz", "birth_year": 1960, "address": HOME})
    response = intake.client.post(
        "/concerns",
        json={
            "channel": "phone",
            "topics": ["schulden"],
            "urgency": "soon",
            "person_id": adult["id"],
            "legal_bases": [{"target_id": target, "basis": basis}],
        },
        headers=intake.staff(),
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "legal_bases.0.basis"
    assert says in response.text


def test_only_the_youth_office_asks_for_neighbourly_help_for_a_child(intake: Any) -> None:
    mia = child(intake)
    post(
        intake,
        f"/persons/{mia['id']}/consents",
        {"purpose": "referral", "carrier_id": YOUTH_OFFICE, "given_by": "guardian", "form": "written"},
    )
    concern = post(
        intake, "/concerns", {"channel": "phone", "topics": ["einsamkeit"], "urgency": "soon", "person_id": mia["id"]}
    )
    referral_id = concern["referrals"][0]["id"]
    caritas = intake.tokens.headers("carrier", org="caritas-dessau", subject="caritas-1")
    for refused in (caritas, intake.staff()):
        answer = intake.client.post(
            f"/referrals/{referral_id}/help-request", json={"help_kind": "reading"}, headers=refused
        )
        assert answer.status_code == 403, answer.text

    weekly = {"weekday": "we", "starts": "15:00", "ends": "16:00"}
    backwards = intake.client.post(
        f"/referrals/{referral_id}/help-request",
        json={"help_kind": "reading", "weekly_slot": {**weekly, "ends": "14:00"}},
        headers=youth_office(intake),
    )
    assert (backwards.status_code, backwards.json()["errors"][0]["field"]) == (422, "weekly_slot.ends")
    asked = post(
        intake,
        f"/referrals/{referral_id}/help-request",
        {"help_kind": "reading", "weekly_slot": weekly},
        youth_office(intake),
    )
    assert (asked["asked_by"], asked["status"]) == ("youth_office", "awaiting_consent")  # the guardian decides
    assert asked["weekly_slot"] == weekly
    post(
        intake,
        f"/persons/{mia['id']}/consents",
        {"purpose": "neighbourly_help", "given_by": "guardian", "form": "written"},
    )
    [requested] = events(intake, "qn.intake.help.requested.v1", concern["id"], expect=1)
    assert (requested["help_kind"], requested["age_band"], requested["asked_by"]) == (
        "reading",
        "under_18",
        "youth_office",
    )
    assert requested["weekly_slot"] == {"weekday": "we", "starts": "15:00:00", "ends": "16:00:00"}


def test_a_roslau_concern_about_health_stays_with_the_roslau_team(intake: Any) -> None:
    concern = post(
        intake,
        "/concerns",
        {"channel": "walk_in", "topics": ["gesundheit", "sonstiges"], "urgency": "soon", "quarter_id": "rosslau"},
    )
    assert concern["team_id"] == "team-rosslau"
    assert concern["referrals"] == []  # nothing goes to the Innenstadt team any more
    queue = intake.client.get("/queue", headers=intake.staff(team="team-rosslau")).json()["items"]
    assert [(i["kind"], i["id"]) for i in queue] == [("concern", concern["id"])]
