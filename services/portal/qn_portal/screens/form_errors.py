"""Intake's problem+json to the GOV.UK error summary: each sentence next to the form field it is
about; a sentence about no known field goes to the form's first field."""

from __future__ import annotations

from ..intake_client import ApiProblem
from ..pages import FieldError


def field_errors(problem: ApiProblem, fields: dict[str, str], *, default: str) -> list[FieldError]:
    errors = []
    for name, message in problem.errors:
        target = fields.get(name) or fields.get(name.split(".")[0]) or default
        errors.append(FieldError(target, message))
    if not errors:
        errors.append(FieldError(default, problem.detail))
    return errors
