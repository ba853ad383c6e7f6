"""The event catalogue lists exactly the event types the code writes, with payload models that match
the routing engine's events and the configuration resources, and docs/events.md is up to date."""

from __future__ import annotations

import ast
import dataclasses
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpline.domain.event_catalogue import (
    EVENT_TYPES,
    EventCatalogueError,
    configuration,
    validate_payload,
)
from helpline.domain.event_catalogue.docs import render_markdown
from helpline.routing import events as engine_events
from helpline.services.acd.configuration import KINDS, ResourceKind
from helpline.services.conversations.canned_responses import CANNED_RESPONSE
from helpline.services.conversations.chat_widgets import CHAT_WIDGET
from helpline.services.conversations.provider_connections import PROVIDER_CONNECTION, VOICE_NUMBER

ROOT = Path(__file__).parents[3]
PACKAGE = ROOT / "helpline"
CATALOGUE = PACKAGE / "domain" / "event_catalogue"

EMITTERS: dict[str, int] = {
    "append_event": 2,  # storage.events.append_event(session, organization_id, TYPE, ...)
    "NewEvent": 0,  # storage.bulk.NewEvent(TYPE, ...)
    "event": 0,  # services.conversations.history: event(TYPE, at, ...)
    "_event": 2,  # services.cases.sla._event(session, case, TYPE, now, ...)
    "_time_off_event": 3,  # services.planning.rostering_inputs._time_off_event(..., row, TYPE)
    "_override_event": 2,  # services.acd.calendar._override_event(session, actor, TYPE, ...)
    "record_callback_event": 2,  # services.acd.callbacks.record_callback_event(session, row, TYPE)
}
"""Functions that take an event type, and the position of that argument."""
TYPE_KEYWORDS = {"event_type"}  # e.g. publish_plan(..., event_type="SchedulePublished")


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _strings(node: ast.AST | None, assigned: dict[str, list[ast.expr]]) -> Iterator[str]:
    """The event type strings an argument expression can evaluate to."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body, assigned)
        yield from _strings(node.orelse, assigned)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _strings(value, assigned)
    elif isinstance(node, ast.Subscript):
        yield from _strings(node.value, assigned)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _strings(value, assigned)
    elif isinstance(node, ast.Name):
        # A local variable: what it is assigned (a parameter is covered by the callers' arguments).
        for value in assigned.pop(node.id, []):
            yield from _strings(value, assigned)


def _emitted_in(path: Path) -> Iterator[tuple[str, int]]:
    tree = ast.parse(path.read_text(), str(path))
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        assigned: dict[str, list[ast.expr]] = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(node.value)
        for call in ast.walk(function):
            if not isinstance(call, ast.Call):
                continue
            arguments = [k.value for k in call.keywords if k.arg in TYPE_KEYWORDS]
            position = EMITTERS.get(_name(call))
            if position is not None and len(call.args) > position:
                arguments.append(call.args[position])
            for argument in arguments:
                for value in _strings(argument, dict(assigned)):
                    yield value, call.lineno


def emitted_types() -> dict[str, str]:
    """Every literal event type passed to an emitter in helpline/, with where it is."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if CATALOGUE in path.parents:
            continue
        for value, line in _emitted_in(path):
            found.setdefault(value, f"{path.relative_to(ROOT)}:{line}")
    return found


def engine_types() -> set[str]:
    """The routing engine's event classes (each persisted under its class name)."""
    return {
        cls.__name__
        for cls in vars(engine_events).values()
        if isinstance(cls, type)
        and issubclass(cls, engine_events.Event)
        and cls is not engine_events.Event
    }


RESOURCE_KINDS = (*KINDS, PROVIDER_CONNECTION, VOICE_NUMBER, CHAT_WIDGET, CANNED_RESPONSE)


def configuration_types() -> set[str]:
    """``<Resource>Created/Updated/Deleted`` of every configuration resource kind."""
    return {
        f"{kind.event_prefix}{verb}"
        for kind in RESOURCE_KINDS
        for verb in ("Created", "Updated", "Deleted")
    }


def test_every_event_type_written_by_the_code_is_catalogued() -> None:
    emitted = emitted_types()
    missing = {t: where for t, where in emitted.items() if t not in EVENT_TYPES}
    assert not missing, f"event types written but not in helpline.domain.event_catalogue: {missing}"
    assert engine_types() - EVENT_TYPES.keys() == set()
    assert configuration_types() - EVENT_TYPES.keys() == set()


def test_every_catalogued_event_type_is_written_by_the_code() -> None:
    written = emitted_types().keys() | engine_types() | configuration_types()
    assert sorted(EVENT_TYPES.keys() - written) == []


def test_the_source_scan_finds_emitters_of_every_kind() -> None:
    emitted = emitted_types()
    # A literal, a conditional, a dict of types, a local helper, a keyword, a parameter's callers.
    for event_type in (
        "ContactCreated",
        "MessageFailed",
        "TimeOffRejected",
        "ContactDeflected",
        "CaseSlaBreached",
        "SchedulePublished",
        "TimeOffWithdrawn",
    ):
        assert event_type in emitted, event_type


@pytest.mark.parametrize("event_type", sorted(engine_types()))
def test_engine_event_payload_model_has_the_engine_event_fields(event_type: str) -> None:
    engine_class = getattr(engine_events, event_type)
    # store.py moves contact_id, agent_id and at to the event's own columns.
    fields = {f.name for f in dataclasses.fields(engine_class)} - {"contact_id", "agent_id", "at"}
    model = EVENT_TYPES[event_type]
    assert fields <= model.model_fields.keys()
    required = {name for name, info in model.model_fields.items() if info.is_required()}
    assert required <= fields


def _columns(table: typing.Any, *skipped: str) -> set[str]:
    return {column.key for column in table.__table__.columns} - {"organization_id", *skipped}


@pytest.mark.parametrize("kind", RESOURCE_KINDS, ids=lambda kind: kind.event_prefix)
def test_configuration_created_model_has_the_represented_fields(kind: ResourceKind) -> None:
    # As configuration.represent writes them: no organization_id nor hidden columns, secrets as
    # <name>_is_set, children as lists of their rows without the parent's id, then derived values.
    model = EVENT_TYPES[f"{kind.event_prefix}Created"]
    represented = {
        f"{name}_is_set" if name in kind.write_only else name
        for name in _columns(kind.table, *kind.hidden)
    }
    children = {child.attribute for child in kind.children}
    assert set(model.model_fields) == represented | children | set(kind.derived)
    for child in kind.children:
        (row_model,) = typing.get_args(model.model_fields[child.attribute].annotation)
        assert set(row_model.model_fields) == _columns(child.table, child.parent_column)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_each_payload_model_has_a_docstring_described_fields_and_a_json_schema(
    event_type: str,
) -> None:
    model = EVENT_TYPES[event_type]
    assert model.__name__ == event_type
    assert model.__doc__
    assert all(info.description for info in model.model_fields.values())
    schema = model.model_json_schema(by_alias=True)
    assert schema["title"] == event_type
    assert schema["type"] == "object"
    assert schema.get("additionalProperties") is False


def test_unknown_event_type_is_refused_by_name() -> None:
    with pytest.raises(EventCatalogueError, match="unknown event type 'ContactTeleported'"):
        validate_payload("ContactTeleported", {})


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"reason": "bored"}, "reason"),  # not one of the reasons
        ({}, "reason"),  # missing
        ({"reason": "rejected", "agent": 3}, "agent"),  # a field the catalogue does not know
    ],
)
def test_payload_not_matching_its_model_is_refused_naming_the_field(
    payload: dict[str, typing.Any], problem: str
) -> None:
    with pytest.raises(EventCatalogueError, match=f"OfferMissed payload(.|\n)*{problem}"):
        validate_payload("OfferMissed", payload)


def test_ids_are_integers_not_strings_of_digits() -> None:
    validate_payload("ContactOverflowed", {"from_queue_id": 1, "to_queue_id": 2})
    with pytest.raises(EventCatalogueError, match="to_queue_id"):
        validate_payload("ContactOverflowed", {"from_queue_id": 1, "to_queue_id": "2"})


def test_times_are_checked_as_iso_8601() -> None:
    good = {"time_off_id": 1, "starts_at": "2026-12-01T09:00:00+00:00", "status": "approved"}
    validate_payload("TimeOffApproved", good | {"ends_at": "2026-12-01T17:00:00+00:00"})
    with pytest.raises(EventCatalogueError, match="ends_at"):
        validate_payload("TimeOffApproved", good | {"ends_at": "tomorrow"})


def test_enums_are_read_from_their_json_strings() -> None:
    created = {"direction": "inbound", "customer_id": None, "queue_id": 1, "priority": 5}
    created |= {"subject": ""}
    validate_payload("ContactCreated", created | {"channel": "voice"})
    with pytest.raises(EventCatalogueError, match="channel"):
        validate_payload("ContactCreated", created | {"channel": "pigeon"})
    validate_payload("CustomerCreated", {"customer_id": 1, "identities": {"phone": "+441"}})
    with pytest.raises(EventCatalogueError, match="identities"):
        validate_payload("CustomerCreated", {"customer_id": 1, "identities": {"fax": "+441"}})


def test_configuration_updated_and_deleted_events_share_their_shapes() -> None:
    assert issubclass(EVENT_TYPES["QueueUpdated"], configuration.ResourceUpdated)
    assert issubclass(EVENT_TYPES["ChatWidgetDeleted"], configuration.ResourceDeleted)
    assert EVENT_TYPES["VoiceNumberDeleted"].__doc__ == "A voice number was deleted."


def test_docs_events_md_is_generated_from_the_catalogue() -> None:
    written = (ROOT / "docs" / "events.md").read_text()
    assert written == render_markdown(), (
        "docs/events.md is out of date: run "
        "`python -m helpline.domain.event_catalogue > docs/events.md`"
    )
