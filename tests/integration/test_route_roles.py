"""Every API route checks the caller's role: tried with each role of the organization that owns the
objects, the roles it refuses (403 naming the roles it needs) are exactly those outside that need.

A route no role is refused from must be listed in OPEN_TO_EVERY_MEMBER, so that opening a route to
agents is a reviewed decision, never an omission."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from helpline.domain.enums import Role
from tests.factories import make_client, make_tenant
from tests.integration.route_table import (
    CREATE_BODIES,
    PATH_OBJECTS,
    PUBLIC,
    api_operations,
    body_for,
    organization_objects,
    query_for,
    route_operations,
)

pytestmark = pytest.mark.integration

# Reviewed: operations every member of the organization may call (the agent desktop's needs,
# reads of the shared configuration, and commands whose record-level rule is checked inside:
# an agent acts only for themselves).
OPEN_TO_EVERY_MEMBER: set[tuple[str, str]] = {
    # The caller's own identity and organization.
    ("GET", "/api/v1/auth/me"),
    ("GET", "/api/v1/organization"),
    ("GET", "/api/v1/organization/login-policy"),
    # The caller's own password, sessions and two-factor settings (a user's; API keys have none).
    ("POST", "/api/v1/me/password"),
    ("GET", "/api/v1/me/sessions"),
    ("DELETE", "/api/v1/me/sessions/{session_id}"),
    ("POST", "/api/v1/me/totp"),
    ("POST", "/api/v1/me/totp/confirm"),
    ("POST", "/api/v1/me/totp/disable"),
    # Configuration every desktop reads (queues to transfer to, codes to wrap up with, who is who).
    ("GET", "/api/v1/agents"),
    ("GET", "/api/v1/agents/{agent_id}"),
    ("GET", "/api/v1/canned-responses"),
    ("GET", "/api/v1/canned-responses/{canned_response_id}"),
    ("GET", "/api/v1/canned-responses/{canned_response_id}/render"),
    ("GET", "/api/v1/chat-widgets"),
    ("GET", "/api/v1/chat-widgets/{chat_widget_id}"),
    ("GET", "/api/v1/email-addresses"),
    ("GET", "/api/v1/email-addresses/{email_address_id}"),
    ("GET", "/api/v1/provider-connections"),
    ("GET", "/api/v1/provider-connections/{provider_connection_id}"),
    ("GET", "/api/v1/queues"),
    ("GET", "/api/v1/queues/{queue_id}"),
    ("GET", "/api/v1/routing-profiles"),
    ("GET", "/api/v1/routing-profiles/{routing_profile_id}"),
    ("GET", "/api/v1/skills"),
    ("GET", "/api/v1/skills/{skill_id}"),
    ("GET", "/api/v1/sla-policies"),
    ("GET", "/api/v1/sla-policies/{sla_policy_id}"),
    ("GET", "/api/v1/survey-settings"),
    ("GET", "/api/v1/teams"),
    ("GET", "/api/v1/teams/{team_id}"),
    ("GET", "/api/v1/voice-numbers"),
    ("GET", "/api/v1/voice-numbers/{voice_number_id}"),
    ("GET", "/api/v1/wrap-up-codes"),
    ("GET", "/api/v1/wrap-up-codes/{wrap_up_code_id}"),
    # Customers and contacts: the agent desktop's screen-pop, history and timeline.
    ("GET", "/api/v1/contacts"),
    ("GET", "/api/v1/contacts/{contact_id}"),
    ("GET", "/api/v1/contacts/{contact_id}/context"),
    ("GET", "/api/v1/contacts/{contact_id}/messages"),
    ("GET", "/api/v1/contacts/{contact_id}/messages/{message_id}/attachments/{attachment_id}"),
    ("GET", "/api/v1/customers"),
    ("GET", "/api/v1/customers/{customer_id}"),
    ("GET", "/api/v1/customers/{customer_id}/merge-suggestions"),
    ("GET", "/api/v1/customers/{customer_id}/merges"),
    ("GET", "/api/v1/customers/{customer_id}/timeline"),
    # Contact events anyone handling the contact may report: the customer left, asked for a callback,
    # the agent is typing (an agent only on chats they handle).
    ("POST", "/api/v1/contacts/{contact_id}/abandon"),
    ("POST", "/api/v1/contacts/{contact_id}/callback"),
    ("POST", "/api/v1/contacts/{contact_id}/chat/typing"),
    # Plans: everyone may read forecasts and calendar events (writing needs a planner).
    ("GET", "/api/v1/calendar-events"),
    ("GET", "/api/v1/forecasts"),
    ("GET", "/api/v1/forecasts/{forecast_id}"),
    ("GET", "/api/v1/forecasts/{forecast_id}/accuracy"),
    # The routing calendar and whether a queue is open: every member reads them (changing the
    # calendar needs a manager).
    ("GET", "/api/v1/holiday-settings"),
    # What is redacted from stored text: every member may see it (changing it needs a manager).
    ("GET", "/api/v1/redaction-settings"),
    ("GET", "/api/v1/public-holidays"),
    ("GET", "/api/v1/hours-overrides"),
    ("GET", "/api/v1/hours-overrides/{hours_override_id}"),
    ("GET", "/api/v1/queues/{queue_id}/open-intervals"),
    ("GET", "/api/v1/queues/{queue_id}/open-state"),
    # Cases: every member reads them (changing them needs a case role).
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/cases/{case_id}"),
    # Scheduled callbacks: every member reads them and a queue's free slots (an agent's desktop
    # lists the callbacks they promised; booking and cancelling need an agent or a supervisor).
    ("GET", "/api/v1/callbacks"),
    ("GET", "/api/v1/callbacks/{callback_id}"),
    ("GET", "/api/v1/queues/{queue_id}/callback-slots"),
}

# Least privileged first, so a permitted role's change (a delete) comes after the refusals.
ROLES_TRIED = (Role.AGENT, Role.QA_ANALYST, Role.WFM_ANALYST, Role.SUPERVISOR, Role.MANAGER)
# A role refusal (helpline.services.access.requires); other 403s are record-level rules (an agent
# on a contact they do not handle) for a role the route admits.
ROLE_REFUSAL = re.compile(r"role \w+ may not do this \(needs ([a-z_, ]+)\)")


def test_the_route_table_is_the_documented_one(db: Database) -> None:
    client = make_client(db)
    assert route_operations(client) == api_operations(client)


def _url(path: str, objects: dict[str, dict[str, Any]]) -> str:
    for param in re.findall(r"{(\w+)}", path):
        assert param in PATH_OBJECTS, f"add {param} to PATH_OBJECTS"
        path = path.replace(f"{{{param}}}", str(objects[PATH_OBJECTS[param]]["id"]))
    return path


def test_every_route_refuses_exactly_the_roles_it_does_not_admit(db: Database) -> None:
    client: TestClient = make_client(db)
    tenant = make_tenant(db)
    objects = organization_objects(client, db, tenant)
    problems: list[str] = []
    open_routes: set[tuple[str, str]] = set()
    # Deletes last: the objects every other operation points at are still there.
    operations = sorted(
        (
            (method, path)
            for path, methods in route_operations(client).items()
            for method in methods
        ),
        key=lambda operation: operation[0] == "DELETE",
    )
    for method, path in operations:
        if (method, path) in PUBLIC:
            continue
        body = None
        if method in {"POST", "PUT", "PATCH"}:
            body = body_for(path, objects) or CREATE_BODIES.get(path, {})
        url = _url(path, objects) + (query_for(path, objects) if method == "GET" else "")
        refused: dict[Role, set[str]] = {}
        for role in ROLES_TRIED:
            response = client.request(method, url, json=body, headers=tenant.headers(role))
            found = ROLE_REFUSAL.search(response.text)
            if response.status_code == 403 and found:
                refused[role] = set(found.group(1).split(", "))
        if not refused:
            open_routes.add((method, path))
            continue
        needs = {frozenset(need) for need in refused.values()}
        if len(needs) != 1:
            problems.append(f"{method} {path}: refusals name different roles {needs}")
            continue
        admitted = {Role(value) for value in next(iter(needs))}
        expected = {role for role in ROLES_TRIED if role not in admitted}
        if set(refused) != expected:
            problems.append(
                f"{method} {path}: refused {sorted(refused)}, expected {sorted(expected)}"
            )
    assert not problems, "\n".join(problems)
    assert open_routes == OPEN_TO_EVERY_MEMBER, (
        sorted(open_routes - OPEN_TO_EVERY_MEMBER),
        sorted(OPEN_TO_EVERY_MEMBER - open_routes),
    )
