"""Configuration forms become the same validated bodies as the REST API's, or errors per field."""

from __future__ import annotations

from helpline.web.config_forms import BY_SLUG, initial_values, parse_form


def test_a_filled_queue_form_becomes_a_body_with_defaults_for_empty_fields() -> None:
    queues = BY_SLUG["queues"]
    form = initial_values(queues, None) | {"name": "Claims", "channel": "voice", "priority": "2"}
    body, errors = parse_form(queues, form)
    assert errors == {}
    assert body is not None
    assert body["name"] == "Claims"
    assert body["priority"] == 2
    assert body["service_level_percent"] == 80.0
    assert body["hours"] == {"always_open": True, "weekly": {}}
    assert body["overflow_queue_id"] is None


def test_bad_json_and_out_of_range_values_name_their_fields() -> None:
    queues = BY_SLUG["queues"]
    form = initial_values(queues, None) | {
        "name": "",
        "channel": "voice",
        "service_level_percent": "140",
        "skills": "[{not json",
    }
    body, errors = parse_form(queues, form)
    assert body is None
    assert set(errors) == {"skills"}  # JSON is checked first, before the model
    form["skills"] = "[]"
    body, errors = parse_form(queues, form)
    assert body is None
    assert set(errors) == {"name", "service_level_percent"}


def test_unchecked_checkbox_means_false() -> None:
    codes = BY_SLUG["wrap-up-codes"]
    body, errors = parse_form(codes, {"code": "refund", "label": "Refund given"})
    assert errors == {}
    assert body == {"code": "refund", "label": "Refund given", "is_active": False}
