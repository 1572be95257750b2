"""Fuzzing a running service from its own OpenAPI document (schemathesis + hypothesis): every
operation gets generated requests -- valid, half-valid and garbage -- and none may produce a
server error. Path parameters are sometimes replaced by ids that exist, so that generated
requests also get past the 404 of routes like /concerns/{concern_id}/close."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error


def server_errors(
    base_url: str, headers: dict[str, str], known_ids: dict[str, list[str]], *, examples: int = 25
) -> tuple[int, list[str]]:
    """(number of operations fuzzed, one line per operation that produced a server error)."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy(), use_real=st.booleans(), pick=st.integers(min_value=0, max_value=99))
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case, use_real: bool, pick: int) -> None:  # type: ignore[no-untyped-def]
            for name in list(case.path_parameters or {}):
                if use_real and known_ids.get(name):
                    case.path_parameters[name] = known_ids[name][pick % len(known_ids[name])]
            case.call_and_validate(
                base_url=base_url, headers={**(case.headers or {}), **headers}, checks=[not_a_server_error]
            )

        try:
            fuzz()
        except Exception as exc:  # noqa: BLE001 -- collect every failing operation, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    return len(operations), failures
