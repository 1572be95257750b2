"""A Kümmerer reports an observation from a phone and sees what became of it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_a_kuemmerer_reports_an_observation_and_sees_the_teams_follow_up(signed_in, kit):
    kuemmerer = signed_in(kit.KUEMMERER)
    home = kuemmerer.get("/start")
    assert home.url.path == "/signale" and "<h1>Meine Beobachtungen</h1>" in home.text
    form = kuemmerer.get("/signale/neu")
    answer = kuemmerer.post(
        "/signale",
        data={
            "csrf_token": kit.csrf_of(form.text),
            "signal_type": "neglect",
            "street": "Franzstr.",
            "house_number": "147",
        },
    )
    assert answer.url.path == "/signale" and "Ihre Beobachtung ist gemeldet" in answer.text
    assert "Verwahrlosung" in answer.text and "Das Team fasst nach (fällig" in answer.text
    assert "Innerstädtischer Bereich Süd" in answer.text


def test_an_observation_needs_what_and_where(signed_in, kit):
    kuemmerer = signed_in(kit.KUEMMERER)
    form = kuemmerer.get("/signale/neu")
    refused = kuemmerer.post("/signale", data={"csrf_token": kit.csrf_of(form.text)})
    assert refused.status_code == 422
    assert '<a href="#signal_type">Wählen Sie, was Sie beobachtet haben.</a>' in refused.text
    assert '<a href="#street">Geben Sie die Straße an oder wählen Sie das Quartier.</a>' in refused.text


def test_an_unknown_street_is_explained_next_to_it(signed_in, kit):
    kuemmerer = signed_in(kit.KUEMMERER)
    form = kuemmerer.get("/signale/neu")
    refused = kuemmerer.post(
        "/signale", data={"csrf_token": kit.csrf_of(form.text), "signal_type": "loneliness", "street": "Gibtsnichtweg"}
    )
    assert refused.status_code == 422 and '<a href="#street">' in refused.text and "Straßenverzeichnis" in refused.text


def test_kuemmerer_do_not_see_the_teams_queue_or_record_concerns(signed_in, kit):
    kuemmerer = signed_in(kit.KUEMMERER)
    assert kuemmerer.get("/warteschlange").status_code == 403
    assert kuemmerer.get("/anliegen/neu").status_code == 403
