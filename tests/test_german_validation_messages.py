"""German replies are wholly German: every validation error pydantic can give for the request
schemas of the four services has a German text ("Input should be a multiple of 0.25" once stood in
a German reply). The schemas are read from the apps themselves -- every parameter and body of every
route -- so a new field with a new kind of constraint fails here until its errors have German texts."""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import pydantic_core
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import TypeAdapter
from pydantic_core import SchemaError, SchemaValidator, ValidationError

from qn_infra.validation_messages import GERMAN, german
from qn_intake.app import create_app as intake_app
from qn_intake.config import IntakeSettings
from qn_matching.app import create_app as matching_app
from qn_matching.config import MatchingSettings
from qn_reporting.app import create_app as reporting_app
from qn_reporting.config import ReportingSettings
from qn_scheduling.app import create_app as scheduling_app
from qn_scheduling.config import SchedulingSettings
from qn_testkit.services import REPO

pytestmark = pytest.mark.unit

# What pydantic-core answers for each kind of schema node when it validates parsed JSON, a query
# string or a path segment (lax mode, as FastAPI validates). Errors that only Python objects can
# cause (bytes, dataclass instances) are left out.
KIND_ERRORS: dict[str, set[str]] = {
    "str": {"string_type"},
    "int": {"int_type", "int_parsing", "int_parsing_size", "int_from_float", "finite_number"},
    "float": {"float_type", "float_parsing"},
    "decimal": {"decimal_type", "decimal_parsing", "finite_number"},
    "bool": {"bool_type", "bool_parsing"},
    "date": {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"},
    "datetime": {"datetime_type", "datetime_parsing", "datetime_from_date_parsing"},
    "time": {"time_type", "time_parsing"},
    "timedelta": {"time_delta_type", "time_delta_parsing"},
    "uuid": {"uuid_type", "uuid_parsing"},
    "enum": {"enum"},
    "literal": {"literal_error"},
    "list": {"list_type"},
    "tuple": {"tuple_type"},
    "set": {"set_type", "set_item_not_hashable"},
    "frozenset": {"frozen_set_type", "set_item_not_hashable"},
    "dict": {"dict_type"},
    "model": {"model_type"},
    "model-fields": {"missing", "model_attributes_type"},
    "tagged-union": {"union_tag_invalid", "union_tag_not_found"},
    "none": {"none_required"},
    "url": {"url_type", "url_parsing", "url_syntax_violation", "url_too_long", "url_scheme"},
    # a validator function of ours raising ValueError or AssertionError
    "function-after": {"value_error", "assertion_error"},
    "function-before": {"value_error", "assertion_error"},
    "function-plain": {"value_error", "assertion_error"},
    "function-wrap": {"value_error", "assertion_error"},
    # the function inside a validator node (`BeforeValidator(f)`): its errors are the node's
    "no-info": set(),
    "with-info": set(),
    # wrappers and references: their errors are their children's
    **{kind: set() for kind in ("any", "default", "nullable", "model-field", "union", "chain", "lax-or-strict")},
    **{kind: set() for kind in ("json-or-python", "definitions", "definition-ref", "typed-dict", "typed-dict-field")},
}
BOUND_ERRORS = {
    "gt": "greater_than",
    "ge": "greater_than_equal",
    "lt": "less_than",
    "le": "less_than_equal",
    "multiple_of": "multiple_of",
}
LENGTH_ERRORS = {"min_length": "too_short", "max_length": "too_long"}
STRING_ERRORS = {
    "min_length": "string_too_short",
    "max_length": "string_too_long",
    "pattern": "string_pattern_mismatch",
}
# errors FastAPI itself reports through pydantic's format: a body that is no JSON, a missing parameter
FRAMEWORK_ERRORS = {"json_invalid", "missing"}


def errors_of(node: dict[str, Any]) -> set[str]:
    """The error types one schema node can give; a kind this table does not know fails the test."""
    kind = node["type"]
    if kind not in KIND_ERRORS:
        raise AssertionError(f"schema kind {kind!r}: list the errors pydantic gives for it in KIND_ERRORS")
    found = set(KIND_ERRORS[kind])
    found |= {error for key, error in BOUND_ERRORS.items() if key in node}
    found |= {error for key, error in (STRING_ERRORS if kind == "str" else LENGTH_ERRORS).items() if key in node}
    if node.get("allow_inf_nan") is False or (kind == "decimal" and node.get("allow_inf_nan") is not True):
        found.add("finite_number")
    if kind == "decimal":
        found |= {"decimal_max_digits", "decimal_whole_digits"} if "max_digits" in node else set()
        found |= {"decimal_max_places"} if "decimal_places" in node else set()
    if kind in ("date", "datetime") and "now_op" in node:
        found.add(f"{kind}_{'past' if node['now_op'] == 'past' else 'future'}")
    if kind == "datetime" and "tz_constraint" in node:
        tz = node["tz_constraint"]
        found.add({"aware": "timezone_aware", "naive": "timezone_naive"}.get(tz, "timezone_offset"))
    if kind == "uuid" and "version" in node:
        found.add("uuid_version")
    if kind == "model" and node.get("config", {}).get("extra_fields_behavior") == "forbid":
        found.add("extra_forbidden")
    if kind == "model-fields" and node.get("extra_behavior") == "forbid":
        found.add("extra_forbidden")
    return found


def service_apps(tmp_path: Path) -> dict[str, FastAPI]:
    keys = {"auth_jwks_file": tmp_path / "jwks.json"}
    city = REPO / "deploy" / "demo-city"
    return {
        "intake": intake_app(IntakeSettings(data_dir=tmp_path / "intake", city_dir=city, **keys)),
        "matching": matching_app(MatchingSettings(data_dir=tmp_path / "matching", city_dir=city, **keys)),
        "scheduling": scheduling_app(SchedulingSettings(data_dir=tmp_path / "scheduling", **keys)),
        "reporting": reporting_app(ReportingSettings(data_dir=tmp_path / "reporting", **keys)),
    }


def request_schemas(apps: dict[str, FastAPI]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, core schema) of every body, query, path, header and cookie parameter of every route."""

    def parameters(dependant: Any) -> Iterator[Any]:
        yield from (*dependant.body_params, *dependant.query_params, *dependant.path_params)
        yield from (*dependant.header_params, *dependant.cookie_params)
        for sub in dependant.dependencies:
            yield from parameters(sub)

    for service, app in apps.items():
        for context in iter_route_contexts(app.routes):
            if not isinstance(context.original_route, APIRoute):
                continue
            for field in parameters(context.dependant):
                adapter = TypeAdapter(Annotated[field.field_info.annotation, field.field_info])
                yield f"{service} {context.path} {field.name}", adapter.core_schema


def nodes(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a core schema, definitions followed once."""
    definitions = {d["ref"]: d for d in schema.get("definitions", [])} if schema.get("type") == "definitions" else {}
    seen: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("type"), str):
            yield node
            if node["type"] == "definition-ref" and node["schema_ref"] not in seen:
                seen.add(node["schema_ref"])
                stack.append(definitions.get(node["schema_ref"]))
        stack.extend(value for key, value in node.items() if key not in ("metadata", "serialization", "definitions"))


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, dict[str, Any]]]:
    found = list(request_schemas(service_apps(tmp_path_factory.mktemp("apps"))))
    assert len(found) > 50, "the routes' parameters and bodies were found"
    return found


def test_every_error_pydantic_can_give_for_our_request_schemas_has_a_german_text(schemas) -> None:  # type: ignore[no-untyped-def]
    reachable = set(FRAMEWORK_ERRORS)
    for _, schema in schemas:
        for node in nodes(schema):
            reachable |= errors_of(node)
    assert "multiple_of" in reachable, "matching's hours come in quarter hours"
    unknown = reachable - set(typing.get_args(pydantic_core.core_schema.ErrorType))
    assert not unknown, f"not pydantic error types (a typo in this test?): {sorted(unknown)}"
    assert not sorted(reachable - GERMAN.keys()), "no German text for these pydantic error types"


JUNK: list[Any] = [
    None,
    True,
    "",
    "x",
    "1" * 5000,
    1.5,
    -1,
    10**6,
    float("inf"),
    [],
    [1, "a"],
    {},
    {"x": 1},
    "2026-13-45",
    "2026-03-10T10:00:00",
    "2026-03-10",
]


def wrong_values(node: dict[str, Any]) -> list[Any]:
    """Junk, and values just past each bound and length the node declares."""
    values = list(JUNK)
    for key in ("gt", "ge", "lt", "le"):
        if key in node:
            bound = node[key]
            values += [bound - 1, bound, bound + 1]
    if "multiple_of" in node:
        values.append(Decimal(str(node["multiple_of"])) / 3 + 1)
    for key in ("min_length", "max_length"):
        if key in node:
            length = max(node[key] + (1 if key == "max_length" else -1), 0)
            values += ["a" * length, ["a"] * length]
    return values


LEAVES = ("str", "int", "float", "decimal", "bool", "date", "datetime", "time", "uuid", "enum", "literal", "list")


def test_wrong_values_for_every_field_of_our_requests_get_german_texts_only(schemas) -> None:  # type: ignore[no-untyped-def]
    """What pydantic really answers, field by field: each error has a German text with nothing
    English or unfilled left in it."""
    untranslated: dict[str, set[str]] = {}
    probed: set[str] = set()
    tried = 0
    for where, schema in schemas:
        for node in nodes(schema):
            if node["type"] not in LEAVES:
                continue
            try:
                validator = SchemaValidator(node)
            except SchemaError:
                continue  # refers to definitions elsewhere: its leaves are probed on their own
            for value in wrong_values(node):
                tried += 1
                try:
                    validator.validate_python(value)
                except ValidationError as exc:
                    for error in exc.errors():
                        probed.add(error["type"])
                        text = german(error)  # type: ignore[arg-type]
                        if text is None or "{" in text or " or " in text or "Input should" in text:
                            untranslated.setdefault(error["type"], set()).add(f"{where}: {text}")
    assert tried > 1000
    assert {"enum", "multiple_of", "string_too_long", "timezone_aware"} <= probed, "the probes reach our constraints"
    assert not untranslated, json.dumps({k: sorted(v)[:3] for k, v in untranslated.items()}, indent=2)
