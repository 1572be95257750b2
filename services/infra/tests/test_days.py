"""A day in a request is "YYYY-MM-DD" and nothing else pydantic would also take."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from qn_infra.days import Day

pytestmark = pytest.mark.unit


class Hours(BaseModel):
    worked_on: Day | None = None


def test_a_day_is_read_from_its_iso_form() -> None:
    assert Hours.model_validate({"worked_on": "2027-03-10"}).worked_on == date(2027, 3, 10)
    assert Hours.model_validate({"worked_on": None}).worked_on is None


@pytest.mark.parametrize("given", [1.4e-274, 0, "0.0", "1741564800", "10.03.2027", True])
def test_a_number_or_another_form_is_refused_naming_the_field(given: object) -> None:
    with pytest.raises(ValidationError) as refused:
        Hours.model_validate({"worked_on": given})
    assert refused.value.errors()[0]["loc"][0] == "worked_on"
