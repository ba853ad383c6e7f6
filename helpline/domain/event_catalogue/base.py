"""The base of every event payload model, and the error a payload that does not fit it raises."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class EventPayload(BaseModel):
    """The payload of one event type: the class name is the event type, the docstring says when it
    is emitted, each field has a description.

    Unknown fields are refused, so a service that starts writing a new field fails until the
    catalogue (and therefore ``docs/events.md``) says what the field is. Payloads are validated as
    stored (JSON values) and strictly: an id is an integer, not a string of digits. Fields of enums,
    dates and times are marked ``strict=False`` so that they are read from their JSON strings.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class EventCatalogueError(ValueError):
    """An event type missing from the catalogue, or a payload that does not match its model."""
