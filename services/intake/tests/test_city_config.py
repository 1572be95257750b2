"""A city's own deadlines and rules in city.toml are the ones intake applies; mistakes in the file
are refused at start-up naming the file and the entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qn_contracts.vocabulary import SignalType, Urgency
from qn_intake.city import CityConfigError, load_city

pytestmark = pytest.mark.unit

DEMO = Path(__file__).resolve().parents[3] / "deploy" / "demo-city"


def city_with(tmp_path: Path, old: str, new: str) -> Path:
    shutil.copytree(DEMO, tmp_path / "city")
    toml = tmp_path / "city" / "city.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text, "the demo city has the line this test changes"
    toml.write_text(text.replace(old, new), encoding="utf-8")
    return tmp_path / "city"


def test_signal_rules_and_follow_up_deadlines_come_from_city_toml(tmp_path: Path) -> None:
    directory = city_with(tmp_path, "no_contact_days = 14", "no_contact_days = 21")
    toml = directory / "city.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        .replace("discharge_follow_up_hours = 48", "discharge_follow_up_hours = 24")
        .replace("loneliness = 7", "loneliness = 5"),
        encoding="utf-8",
    )
    policy = load_city(directory).policy
    assert (policy.no_contact_days, policy.discharge_follow_up_hours) == (21, 24)
    assert policy.follow_up_due_days[SignalType.LONELINESS] == 5


def test_the_shortest_deadline_of_a_referrals_topics_applies(tmp_path: Path) -> None:
    policy = load_city(DEMO).policy
    # schulden has 10 days when soon, alter the city-wide 7: together, 7
    assert policy.referral_due(("schulden",), Urgency.SOON) == 10
    assert policy.referral_due(("schulden", "alter"), Urgency.SOON) == 7


def test_a_deadline_for_an_unknown_topic_is_refused_naming_it(tmp_path: Path) -> None:
    directory = city_with(tmp_path, "[referral_due_days.topics.schulden]", "[referral_due_days.topics.horoskope]")
    with pytest.raises(CityConfigError, match="horoskope"):
        load_city(directory)


def test_an_unknown_signal_type_in_the_deadlines_is_refused(tmp_path: Path) -> None:
    directory = city_with(tmp_path, "loneliness = 7", "melancholy = 7")
    with pytest.raises(CityConfigError, match="melancholy"):
        load_city(directory)


def test_an_organisation_id_with_a_dot_is_refused_since_subjects_name_it(tmp_path: Path) -> None:
    directory = city_with(tmp_path, 'id = "caritas-dessau"', 'id = "caritas.dessau"')
    with pytest.raises(CityConfigError, match=r"caritas\.dessau"):
        load_city(directory)
