"""A calendar day in a request, the one way the API documents it: "YYYY-MM-DD".

Pydantic alone also takes a number for a date (as a Unix time: the fuzzer's 1.4e-274 became
1 January 1970) or a string such as "0.0"; a person's typo would then be stored as a day nobody
meant, where the document promises a 422 naming the field."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day_only(value: object) -> object:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("a day as YYYY-MM-DD, e.g. 2027-03-10")
    return value


Day = Annotated[date, BeforeValidator(_iso_day_only)]
"""A day given in a request (body or query)."""
