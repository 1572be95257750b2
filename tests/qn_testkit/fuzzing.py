"""Fuzzing a running service from its own OpenAPI document (schemathesis + hypothesis), with every
check schemathesis has: no server error, only documented status codes and content types, response
bodies and headers as the schema says, valid data accepted and invalid data refused, auth not
ignored. Requests are valid by the schema, and with `negative=True` also invalid by it: only then
is "invalid data refused" asked at all. Path parameters of a valid path are mostly replaced by ids
that exist, so that generated requests also get past the 404 of routes like
/concerns/{concern_id}/close.

A check that cannot apply to one operation is excluded for that operation only, with the reason
(`Exclusions`): e.g. a field whose allowed values only the city's configuration knows at run time
cannot make "valid by the schema" mean "accepted".

The suite draws the same requests on every run (`derandomize`), so a red CI is reproducible and
never the luck of the draw; `QN_FUZZ_RANDOM=1` draws new ones, and `QN_FUZZ_EXAMPLES=200` draws
more per operation, for a deeper run by hand."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks
from schemathesis.core.parameters import ParameterLocation

CHECKS = {
    "not_a_server_error": checks.not_a_server_error,
    "status_code_conformance": checks.status_code_conformance,
    "content_type_conformance": checks.content_type_conformance,
    "response_headers_conformance": checks.response_headers_conformance,
    "response_schema_conformance": checks.response_schema_conformance,
    "negative_data_rejection": checks.negative_data_rejection,
    "positive_data_acceptance": checks.positive_data_acceptance,
    "missing_required_header": checks.missing_required_header,
    "unsupported_method": checks.unsupported_method,
    "ignored_auth": checks.ignored_auth,
    "use_after_free": checks.use_after_free,
    "ensure_resource_availability": checks.ensure_resource_availability,
}

Exclusions = Mapping[str, Mapping[str, str]]
"""operation ("POST /concerns") -> check name -> why it cannot apply there."""


def failures(
    base_url: str,
    headers: dict[str, str],
    known_ids: dict[str, list[str]],
    *,
    examples: int = 25,
    exclusions: Exclusions | None = None,
    negative: bool = False,
) -> tuple[int, list[str]]:
    """(number of operations fuzzed, one line per operation and failed check); with `negative`,
    about half the requests are invalid by the schema."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    found: list[str] = []
    exclusions = exclusions or {}
    for operation in operations:
        key = f"{operation.method.upper()} {operation.path}"
        skipped = exclusions.get(key, {})
        unknown = set(skipped) - set(CHECKS)
        assert not unknown, f"{key}: no such check {unknown}"
        active = [check for name, check in CHECKS.items() if name not in skipped]

        fuzz = _fuzzer(operation, active, base_url, headers, known_ids, examples, negative=negative)
        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 -- collect every failing operation
            found.append(f"{key}: {str(exc)[:1500]}")
    return len(operations), found


def _fuzzer(
    operation: Any,
    active: list[Any],
    base_url: str,
    headers: dict[str, str],
    known_ids: dict[str, list[str]],
    examples: int,
    *,
    negative: bool,
) -> Any:
    """The hypothesis test of one operation with its checks."""

    # the token is fixed, not generated: an invalid request must break the request, not its auth
    cases = operation.as_strategy(headers=headers)
    if negative:
        cases = st.one_of(cases, operation.as_strategy(GenerationMode.NEGATIVE, headers=headers))

    # mostly a real id: a random one only ever reaches the 404 branch
    @given(case=cases, use_real=st.sampled_from((True, True, True, False)), pick=st.integers(min_value=0, max_value=99))
    @settings(
        max_examples=int(os.environ.get("QN_FUZZ_EXAMPLES", examples)),
        derandomize=not os.environ.get("QN_FUZZ_RANDOM"),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def fuzz(case, use_real: bool, pick: int) -> None:  # type: ignore[no-untyped-def]
        # a real id where the path is valid; a path broken on purpose stays broken
        if use_real and not (case.meta and case.meta.is_negative_at(ParameterLocation.PATH)):
            for name in list(case.path_parameters or {}):
                if known_ids.get(name):
                    case.path_parameters[name] = known_ids[name][pick % len(known_ids[name])]
        case.call_and_validate(base_url=base_url, headers={**(case.headers or {}), **headers}, checks=active)

    return fuzz


def server_errors(
    base_url: str, headers: dict[str, str], known_ids: dict[str, list[str]], *, examples: int = 25
) -> tuple[int, list[str]]:
    """Only the first check: no request may produce a server error."""
    every_other = {name: "not asked" for name in CHECKS if name != "not_a_server_error"}
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    keys = [f"{r.ok().method.upper()} {r.ok().path}" for r in schema.get_all_operations()]
    return failures(base_url, headers, known_ids, examples=examples, exclusions=dict.fromkeys(keys, every_other))
