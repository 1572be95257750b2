"""The OpenAPI document says truthfully what can go wrong: every operation lists the problem
answers (RFC 9457, `application/problem+json`) it can give -- 401 and 403 where a token is
needed, 404 where a path names a record, 413 and 415 where a body is read, 422 where anything is
validated, 409 where a route declares a conflict, 429 on rate-limited public routes, 503 when the
database is away -- with one `Problem` schema, instead of FastAPI's JSON-only validation error."""

from __future__ import annotations

from typing import Any

PROBLEM_JSON = "application/problem+json"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details, in German or English after Accept-Language.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "examples": ["urn:quartiersnetz:problem:validation_failed"]},
        "title": {"type": "string", "examples": ["Ungültige Eingabe"]},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "examples": ["Bitte prüfen: topics.1"]},
        "code": {"type": "string", "description": "A stable code to act on.", "examples": ["unknown_topic"]},
        "errors": {
            "type": "array",
            "description": "One entry per field at fault.",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "correlation_id": {"type": ["string", "null"], "description": "The request's id, for support."},
    },
    "additionalProperties": True,
}

DESCRIPTIONS = {
    401: "No token, or one that is invalid or expired",
    403: "The caller's role or team may not do this",
    404: "No such record",
    409: "The record's state does not allow this",
    413: "The request body is too large",
    415: "The body is not JSON",
    422: "Invalid input; `errors` names each field at fault",
    429: "Too many requests from this client",
    503: "The database or the identity provider is unavailable; retry shortly (Retry-After)",
}

PROBES = ("/healthz", "/readyz")


def conflict(description: str) -> dict[int | str, dict[str, Any]]:
    """`responses=conflict("...")` on a route that can answer 409."""
    return {409: {"description": description}}


def declare_problems(openapi: dict[str, Any]) -> None:
    """Adds the problem answers to every operation of `openapi` (after `x-access` is written)."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    for path, operations in openapi.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, method, operation):
                responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
            for status, response in responses.items():
                if str(status).startswith(("4", "5")):
                    response["content"] = {PROBLEM_JSON: {"schema": reference}}
                    if int(status) == 422 or "description" not in response:  # FastAPI's says "Validation Error"
                        response["description"] = DESCRIPTIONS.get(int(status), "Problem")
            operation["responses"] = dict(sorted(responses.items()))
    _refuse_nul(openapi)
    if not _uses(openapi, "HTTPValidationError"):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)


def _statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    access = operation.get("x-access", {})
    public = access.get("public", not operation.get("security"))
    statuses: set[int] = set()
    if not public:
        statuses |= {401, 403}
    elif path not in PROBES:
        statuses.add(429)
    if "{" in path:
        statuses.add(404)
    if operation.get("requestBody"):
        statuses |= {413, 415, 422}
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(422)
    if path not in ("/healthz",):
        statuses.add(503)
    return statuses


def _uses(value: Any, name: str) -> bool:
    if isinstance(value, dict):
        return any(
            (k == "$ref" and v == f"#/components/schemas/{name}") or (k != "schemas" and _uses(v, name))
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_uses(v, name) for v in value)
    return False


NO_NUL = "^[^\\x00]*$"


def _refuse_nul(value: Any) -> None:
    """Every service refuses the NUL character in any string (input_guard.py); a string schema
    without a pattern of its own says so, so that "valid by the schema" stays "accepted"."""
    if isinstance(value, dict):
        free_text = value.get("type") == "string" and not ({"pattern", "enum", "const", "format"} & set(value))
        if free_text:
            value["pattern"] = NO_NUL
        for item in value.values():
            _refuse_nul(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul(item)
