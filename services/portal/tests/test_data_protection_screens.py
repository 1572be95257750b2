"""Coordinators see who looked at a person (intake's audit log) and erase a person's data after a
confirmation page; team staff can do neither."""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.integration


def added_person(staff, kit) -> tuple[str, str]:
    name = "Lindqvist-" + uuid.uuid4().hex[:8]
    page = staff.get("/personen")
    form = staff.post(
        "/personen", data={"csrf_token": kit.csrf_of(page.text), "family_name": name, "given_name": "Edda"}
    )
    return re.search(r'name="person_id" value="([^"]+)"', form.text).group(1), name


def test_a_coordinator_sees_who_looked_at_a_person_and_erases_their_data(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    person_id, name = added_person(staff, kit)  # the form shows the person: a logged read

    coordinator = signed_in(kit.COORDINATOR)
    found = coordinator.get("/personen", params={"name": name})
    assert f'href="/personen/{person_id}/loeschen"' in found.text
    log = coordinator.get("/protokoll", params={"person": person_id})
    assert log.status_code == 200 and f'data-audit-subject="{person_id}"' in log.text
    assert "demo-staff-team-innenstadt" in log.text

    confirm = coordinator.get(f"/personen/{person_id}/loeschen")
    assert f"Edda {name}" in confirm.text and "nicht rückgängig" in confirm.text
    erased = coordinator.post(f"/personen/{person_id}/loeschen", data={"csrf_token": kit.csrf_of(confirm.text)})
    assert "Die Daten der Person sind gelöscht" in erased.text
    after = coordinator.get("/personen", params={"name": name})
    assert "Niemand gefunden." in after.text and f'data-person-id="{person_id}"' not in after.text


def test_team_staff_neither_read_the_audit_log_nor_erase(signed_in, kit):
    staff = signed_in(kit.STAFF_INNENSTADT)
    person_id, _ = added_person(staff, kit)
    assert staff.get("/protokoll").status_code == 403
    assert staff.get(f"/personen/{person_id}/loeschen").status_code == 403
    page = staff.get("/personen")
    assert staff.post(f"/personen/{person_id}/loeschen", data={"csrf_token": kit.csrf_of(page.text)}).status_code == 403
    assert "Daten löschen" not in page.text
