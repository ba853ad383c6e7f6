"""Input limits are declared in the OpenAPI schema and enforced: ids within 1..2^31-1, finite numbers,
bounded strings without NUL characters or lone surrogates; anything else is a 422 naming the field,
never a 500 (helpline.http.bounds)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from helpline.http.bounds import MAX_ID
from tests.factories import make_client, make_tenant

pytestmark = pytest.mark.integration

UNBOUNDED_FORMATS = {"date", "date-time", "time", "duration", "binary", "uuid"}


def _unbounded(schema: dict[str, Any], components: dict[str, Any], where: str) -> list[str]:
    """The places in ``schema`` where an integer has no maximum or a string no length limit."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return _unbounded(components[name], components, f"{where}<{name}>")
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _unbounded(sub, components, where)
    kind = schema.get("type")
    fixed = "enum" in schema or "const" in schema
    if kind == "integer" and not fixed and "maximum" not in schema:
        found.append(f"{where}: integer without maximum")
    limited = {"maxLength", "pattern"} & schema.keys() or schema.get("format") in UNBOUNDED_FORMATS
    if kind == "string" and not fixed and not limited:
        found.append(f"{where}: string without maxLength")
    for name, sub in schema.get("properties", {}).items():
        found += _unbounded(sub, components, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found += _unbounded(schema[key], components, f"{where}{key[0]}")
    return found


def test_the_openapi_schema_bounds_every_integer_and_string_a_client_sends(db: Database) -> None:
    schema = make_client(db).get("/openapi.json").json()
    components = schema["components"]["schemas"]
    unbounded: list[str] = []
    ids = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                where = f"{name} {parameter['in']}:{parameter['name']}"
                unbounded += _unbounded(parameter["schema"], components, where)
                integer = parameter["schema"].get("type") == "integer"
                if parameter["name"].endswith("_id") and parameter["in"] == "path" and integer:
                    ids += 1
                    assert parameter["schema"]["maximum"] == MAX_ID, where
            for content in operation.get("requestBody", {}).get("content", {}).values():
                unbounded += _unbounded(content["schema"], components, f"{name} body")
    assert unbounded == []
    assert ids > 100


@pytest.fixture
def client(db: Database) -> TestClient:
    return make_client(db)


def _loc(response: Any) -> list[Any]:
    assert response.status_code == 422, response.text
    loc: list[Any] = response.json()["detail"][0]["loc"]
    return loc


@pytest.mark.parametrize("too_big", [MAX_ID + 1, 2**63, 2**64])
def test_an_id_beyond_the_stored_range_is_a_422_naming_it(db: Database, too_big: int) -> None:
    client = make_client(db)
    headers = make_tenant(db).headers()
    assert _loc(client.get(f"/api/v1/queues/{too_big}", headers=headers)) == ["path", "queue_id"]
    assert _loc(client.get(f"/api/v1/contacts?agent_id={too_big}", headers=headers)) == [
        "query",
        "agent_id",
    ]
    body = {"name": "Overflow", "channel": "voice", "overflow_queue_id": too_big}
    assert _loc(client.post("/api/v1/queues", json=body, headers=headers)) == [
        "body",
        "overflow_queue_id",
    ]
    # Provider webhooks are anonymous: the same limit before any lookup.
    hook = client.post(f"/hooks/generic_json/{too_big}", content=b"{}")
    assert _loc(hook)[:2] == ["path", "connection_id"]
    assert client.get(f"/api/v1/queues/{MAX_ID}", headers=headers).status_code == 404


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_numbers_are_finite(db: Database, number: str) -> None:
    client = make_client(db)
    headers = make_tenant(db).headers() | {"Content-Type": "application/json"}
    user = client.post(
        "/api/v1/users",
        json={
            "email": f"c-{number}@example.com",
            "display_name": "C",
            "role": "agent",
            "password": "a long pass phrase",
        },
        headers=headers,
    ).json()
    body = f'{{"user_id": {user["id"]}, "display_name": "C", "hourly_cost": {number}}}'
    response = client.post("/api/v1/agents", content=body, headers=headers)
    assert _loc(response) == ["body", "hourly_cost"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [('"Bil\\u0000ling"', "NUL"), ('"Bil\\ud800ling"', "surrogate"), ('"\\udfff"', "surrogate")],
)
def test_text_with_nul_or_a_lone_surrogate_is_a_422_naming_the_field(
    db: Database, raw: str, reason: str
) -> None:
    client = make_client(db)
    headers = make_tenant(db).headers() | {"Content-Type": "application/json"}
    response = client.post("/api/v1/teams", content=f'{{"name": {raw}}}', headers=headers)
    assert _loc(response) == ["body", "name"]
    assert reason in response.json()["detail"][0]["msg"]
    span = f'{{"open": {raw}, "close": "10:00"}}'
    nested = f'{{"name": "N", "kind": "open", "first_day": "2026-12-24", "spans": [{span}]}}'
    response = client.post("/api/v1/hours-overrides", content=nested, headers=headers)
    assert _loc(response) == ["body", "spans"]
    assert client.get("/api/v1/teams", headers=headers).json() == []


def test_a_query_parameter_with_nul_is_a_422_naming_it(db: Database) -> None:
    client = make_client(db)
    headers = make_tenant(db).headers()
    response = client.get("/api/v1/customers?q=Cl%00eo", headers=headers)
    assert _loc(response) == ["query", "q"]
    anonymous = client.get("/api/v1/public/surveys/ab%00cd")
    assert _loc(anonymous) == ["path", "token"]
