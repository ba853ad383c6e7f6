"""How each configuration resource appears as a list and a form, and how a form becomes a body.

A form is validated by the same pydantic model as the REST body (``api.schemas``), then handed to the
same service (``services.acd.configuration``), so a page can store nothing the API would refuse.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from helpline.domain.enums import AgentSelection, Channel, ClosedTreatment
from helpline.http import config_schemas as schemas
from helpline.services.acd import configuration as config
from helpline.services.acd import directory
from helpline.services.acd.configuration import ResourceKind
from helpline.services.actor import Actor
from helpline.services.conversations.canned_responses import CANNED_RESPONSE, PLACEHOLDERS
from helpline.services.unit_of_work import Session

Options = Callable[[Session, Actor], list[tuple[str, str]]]


@dataclass(frozen=True)
class FormField:
    """One input: ``widget`` is text, number, checkbox, select, textarea or json."""

    name: str
    label: str
    widget: str = "text"
    options: Options | None = None
    help: str = ""


@dataclass(frozen=True)
class Resource:
    """A configuration resource's pages: URL slug, titles, model, list columns and form fields."""

    slug: str
    title: str
    kind: ResourceKind
    model: type[BaseModel]
    columns: tuple[str, ...]
    fields: tuple[FormField, ...]


def _static(values: list[str]) -> Options:
    return lambda _session, _org: [(v, v) for v in values]


def _rows(choice: directory.Choice) -> Options:
    def options(session: Session, actor: Actor) -> list[tuple[str, str]]:
        return directory.choices(session, actor, choice)

    return options


_DESCRIPTION = FormField("description", "Description", "textarea")
_JSON_HELP = "JSON; the API documentation at /docs describes every field."

RESOURCES: tuple[Resource, ...] = (
    Resource(
        "agents",
        "Agents",
        config.AGENT,
        schemas.AgentIn,
        ("display_name", "team_id", "routing_profile_id", "is_active"),
        (
            FormField("user_id", "User (login)", "select", _rows(directory.Choice.USER)),
            FormField("display_name", "Display name"),
            FormField("team_id", "Team", "select", _rows(directory.Choice.TEAM)),
            FormField(
                "routing_profile_id",
                "Routing profile",
                "select",
                _rows(directory.Choice.ROUTING_PROFILE),
            ),
            FormField("hourly_cost", "Hourly cost", "number"),
            FormField("is_active", "Active", "checkbox"),
            FormField(
                "skills", "Skills", "json", help='[{"skill_id": 1, "proficiency": 4}] ' + _JSON_HELP
            ),
        ),
    ),
    Resource(
        "teams",
        "Teams",
        config.TEAM,
        schemas.TeamIn,
        ("name", "description"),
        (FormField("name", "Name"), _DESCRIPTION),
    ),
    Resource(
        "skills",
        "Skills",
        config.SKILL,
        schemas.SkillIn,
        ("name", "description"),
        (FormField("name", "Name"), _DESCRIPTION),
    ),
    Resource(
        "queues",
        "Queues",
        config.QUEUE,
        schemas.QueueIn,
        ("name", "channel", "priority", "service_level_percent", "service_level_seconds"),
        (
            FormField("name", "Name"),
            FormField("channel", "Channel", "select", _static([c.value for c in Channel])),
            FormField("priority", "Priority (1 first)", "number"),
            FormField("service_level_percent", "Service-level target (%)", "number"),
            FormField("service_level_seconds", "Service-level threshold (seconds)", "number"),
            FormField("short_abandon_seconds", "Short abandon (seconds)", "number"),
            FormField("after_contact_work_seconds", "After-contact work (seconds)", "number"),
            FormField("offer_timeout_seconds", "Offer timeout (seconds)", "number"),
            FormField(
                "agent_selection",
                "Agent selection",
                "select",
                _static([a.value for a in AgentSelection]),
            ),
            FormField(
                "closed_treatment",
                "When closed",
                "select",
                _static([c.value for c in ClosedTreatment]),
            ),
            FormField("closed_message", "Closed message", "textarea"),
            FormField("overflow_queue_id", "Overflow queue", "select", None),
            FormField("overflow_after_seconds", "Overflow after (seconds)", "number"),
            FormField("sticky_seconds", "Wait for the last agent (seconds)", "number"),
            FormField("callback_slot_minutes", "Callback slot (minutes: 10-120)", "number"),
            FormField("callbacks_per_slot", "Callbacks per slot (0: none)", "number"),
            FormField(
                "hours",
                "Hours of operation",
                "json",
                help='{"always_open": false, "weekly": {"mon": [{"open": "08:00", "close": "20:00"}]}}',
            ),
            FormField(
                "skills", "Required skills", "json", help='[{"skill_id": 1, "min_proficiency": 2}]'
            ),
            FormField("routing_steps", "Escalation steps", "json", help=_JSON_HELP),
        ),
    ),
    Resource(
        "routing-profiles",
        "Routing profiles",
        config.ROUTING_PROFILE,
        schemas.RoutingProfileIn,
        ("name", "voice_blocks_other_channels"),
        (
            FormField("name", "Name"),
            FormField(
                "voice_blocks_other_channels", "A voice contact blocks other channels", "checkbox"
            ),
            FormField(
                "channels", "Channels", "json", help='[{"channel": "chat", "concurrency": 3}]'
            ),
            FormField(
                "queues",
                "Queues",
                "json",
                help='[{"queue_id": 1, "priority": 1, "delay_seconds": 0}]',
            ),
        ),
    ),
    Resource(
        "wrap-up-codes",
        "Wrap-up codes",
        config.WRAP_UP_CODE,
        schemas.WrapUpCodeIn,
        ("code", "label", "is_active"),
        (
            FormField("code", "Code"),
            FormField("label", "Label"),
            FormField("is_active", "Active", "checkbox"),
        ),
    ),
    Resource(
        "canned-responses",
        "Canned responses",
        CANNED_RESPONSE,
        schemas.CannedResponseIn,
        ("title", "text"),
        (
            FormField("title", "Title"),
            FormField(
                "text",
                "Text",
                "textarea",
                help="Placeholders: " + ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            ),
        ),
    ),
)
BY_SLUG = {resource.slug: resource for resource in RESOURCES}


def field_options(resource: Resource, form_field: FormField) -> Options | None:
    """The options of a select (the overflow queue lists the organization's queues)."""
    if form_field.name == "overflow_queue_id":
        return _rows(directory.Choice.QUEUE)
    return form_field.options


def initial_values(resource: Resource, row: Mapping[str, Any] | None) -> dict[str, str]:
    """The form's values as text: a stored row, or the model's defaults for a new one."""
    values: dict[str, Any] = {}
    for name, info in resource.model.model_fields.items():
        if row is not None:
            values[name] = row.get(name)
        elif not info.is_required():
            values[name] = info.get_default(call_default_factory=True)
    return {f.name: _as_text(f, values.get(f.name)) for f in resource.fields}


def _as_text(form_field: FormField, value: Any) -> str:
    if form_field.widget == "json":
        plain = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        return json.dumps(plain if plain is not None else [], indent=1, default=str)
    if form_field.widget == "checkbox":
        return "on" if value else ""
    if value is None:
        return ""
    return str(value.value if hasattr(value, "value") else value)


def parse_form(
    resource: Resource, form: Mapping[str, str]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """``(body, {})`` ready for the service, or ``(None, errors by field)``."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for form_field in resource.fields:
        raw = form.get(form_field.name, "")
        if form_field.widget == "checkbox":
            values[form_field.name] = raw == "on"
        elif form_field.widget == "json":
            try:
                values[form_field.name] = json.loads(raw) if raw.strip() else None
            except json.JSONDecodeError as error:
                errors[form_field.name] = f"not valid JSON: {error.msg}"
        elif raw.strip() == "":
            if form_field.widget in ("text", "textarea"):
                values[form_field.name] = ""
            else:
                values[form_field.name] = None
        else:
            values[form_field.name] = raw.strip()
    if errors:
        return None, errors
    # Empty optional fields fall back to the model's default when it has one.
    for name, info in resource.model.model_fields.items():
        if values.get(name) is None and not info.is_required():
            default = info.get_default(call_default_factory=True)
            values[name] = default
    try:
        body = resource.model.model_validate(values)
    except ValidationError as invalid:
        for item in invalid.errors():
            location = item["loc"]
            name = str(location[0]) if location else "form"
            detail = ".".join(str(part) for part in location[1:])
            errors.setdefault(name, f"{detail + ': ' if detail else ''}{item['msg']}")
        return None, errors
    return body.model_dump(mode="json"), {}
