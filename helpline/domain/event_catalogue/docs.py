"""``docs/events.md``, rendered from the catalogue (``python -m helpline.domain.event_catalogue``)."""

from __future__ import annotations

import enum
import inspect
import sys
import types
from datetime import date, datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from helpline.domain.event_catalogue import AREAS, EVENT_TYPES

HEADER = """\
# Event catalogue

<!-- Generated from helpline/domain/event_catalogue by
     `python -m helpline.domain.event_catalogue > docs/events.md`: edit the models, not this file. -->

Every change of state in Helpline is an event in the organization's append-only log. Read it with
`GET /api/v1/events?after=<sequence>`, follow it live on the WebSocket `/api/v1/events/stream`, or
export it from the reports.
Each event has these columns; the type-specific fields are in `payload`, listed below.

| Column | Type | Description |
|---|---|---|
| `sequence` | integer | Gap-free, strictly increasing number per organization. |
| `type` | string | One of the event types below. |
| `occurred_at` | string (ISO 8601 date-time, UTC) | When it happened. |
| `contact_id` | integer or null | The contact it concerns, if any. |
| `agent_id` | integer or null | The agent it concerns, if any. |
| `actor` | string | Who caused it: `user:<id>`, `apikey:<id>`, `system`, `customer`, `chat:<session>`... |
| `payload` | object | The fields of the event type. |

Ids in payloads are integers. A field marked *optional* is absent from some events of the type (the
description says when); a field whose type allows null is always present. Every `append_event` checks
its payload against these models, so the list is complete and exact. JSON Schemas of the payloads:
`python -m helpline.domain.event_catalogue --json-schema`.
"""


def type_name(annotation: Any) -> str:
    """A readable JSON type for a field annotation, e.g. ``integer or null``."""
    origin = get_origin(annotation)
    if annotation is type(None):
        return "null"
    if origin is Annotated:
        return type_name(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return " or ".join(type_name(arg) for arg in get_args(annotation))
    if origin is Literal:
        return "string: " + ", ".join(f"`{value}`" for value in get_args(annotation))
    if origin is list:
        return "array of " + type_name(get_args(annotation)[0])
    if origin is dict:
        key = get_args(annotation)[0]
        keys = f" (keys: {type_name(key).removeprefix('string: ')})" if key is not str else ""
        return f"object{keys}"
    if inspect.isclass(annotation):
        if issubclass(annotation, enum.Enum):
            return "string: " + ", ".join(f"`{member.value}`" for member in annotation)
        if issubclass(annotation, BaseModel):
            inner = "; ".join(
                f"`{info.alias or name}`: {type_name(info.annotation)}"
                for name, info in annotation.model_fields.items()
            )
            return f"object {{{inner}}}"
        if issubclass(annotation, datetime):
            return "string (ISO 8601 date-time)"
        if issubclass(annotation, date):
            return "string (ISO 8601 date)"
    simple = {bool: "boolean", int: "integer", float: "number", str: "string", Any: "any"}
    return simple.get(annotation, str(annotation))


def _doc(model: type[BaseModel]) -> str:
    return " ".join(inspect.cleandoc(model.__doc__ or "").split())


def render_markdown() -> str:
    """The whole of ``docs/events.md``."""
    lines = [HEADER]
    lines.append("## Contents\n")
    for area, models in AREAS:
        names = ", ".join(f"[{m.__name__}](#{m.__name__.lower()})" for m in models)
        lines.append(f"- **{area}**: {names}")
    for area, models in AREAS:
        module = sys.modules[models[0].__module__]
        lines.append(f"\n## {area}\n\n{' '.join(inspect.cleandoc(module.__doc__ or '').split())}")
        for model in models:
            lines.append(f"\n### {model.__name__}\n\n{_doc(model)}\n")
            if not model.model_fields:
                lines.append("No payload fields.")
                continue
            lines.append("| Field | Type | Description |\n|---|---|---|")
            for name, info in model.model_fields.items():
                optional = "" if info.is_required() else " *optional*"
                description = (info.description or "").replace("|", "\\|")
                lines.append(
                    f"| `{info.alias or name}`{optional} | {type_name(info.annotation)} "
                    f"| {description} |"
                )
    return "\n".join(lines) + "\n"


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every event type's payload, by type."""
    return {name: model.model_json_schema() for name, model in EVENT_TYPES.items()}
