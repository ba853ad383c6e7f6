"""The routing calendar through the REST API on both backends: holiday settings, closures and special
opening hours, a queue's open intervals, and contacts that arrive on a holiday (a hand-set clock)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from helpline.bootstrap import Database
from helpline.domain.enums import Role
from tests.center import Center, FakeClock, build_center
from tests.factories import create_ok

pytestmark = pytest.mark.integration

# Monday to Friday 09:00-17:00 in the organization's zone (Europe/London, see make_tenant).
OFFICE_HOURS = {
    "always_open": False,
    "weekly": {
        d: [{"open": "09:00", "close": "17:00"}] for d in ("mon", "tue", "wed", "thu", "fri")
    },
}
CHRISTMAS_NOON = datetime(2026, 12, 25, 12, 0, tzinfo=UTC)  # a Friday; GMT = UTC in winter


@pytest.fixture
def center(db: Database) -> Center:
    return build_center(db, clock=FakeClock(CHRISTMAS_NOON))


def _office_queue(center: Center, name: str = "Office", **extra: Any) -> int:
    body = {"name": name, "channel": "voice", "hours": OFFICE_HOURS} | extra
    queue_id: int = create_ok(center.client, center.tenant, "queues", body)["id"]
    return queue_id


def _put_settings(center: Center, body: dict[str, Any], role: Role = Role.ADMIN) -> Any:
    return center.client.put(
        "/api/v1/holiday-settings", json=body, headers=center.tenant.headers(role)
    )


def _events(center: Center, prefix: str) -> list[dict[str, Any]]:
    events = center.get("events?limit=1000")["events"]
    return [e for e in events if e["type"].startswith(prefix)]


def test_holiday_settings_take_known_codes_and_managers_set_them(center: Center) -> None:
    assert center.get("holiday-settings") == {
        "country": None,
        "subdivision": None,
        "close_routing": True,
    }
    refused = _put_settings(center, {"country": "GB"}, role=Role.SUPERVISOR)
    assert refused.status_code == 403
    unknown = _put_settings(center, {"country": "DE", "subdivision": "ZZ"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "subdivision"]
    assert center.get("holiday-settings")["country"] is None
    assert _events(center, "HolidaySettings") == []

    saved = _put_settings(center, {"country": "de", "subdivision": "by"}, role=Role.MANAGER)
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"country": "DE", "subdivision": "BY", "close_routing": True}
    assert center.get("holiday-settings") == saved.json()
    assert [e["payload"] for e in _events(center, "HolidaySettings")] == [saved.json()]


def test_public_holidays_are_listed_for_the_holiday_country(center: Center) -> None:
    assert center.get("public-holidays?from=2026-12-01&to=2026-12-31") == []
    assert _put_settings(center, {"country": "GB", "close_routing": False}).status_code == 200
    holidays = center.get("public-holidays?from=2026-12-01&to=2026-12-31")
    assert {"date": "2026-12-25", "name": "Christmas Day", "closes_routing": False} in holidays
    assert all("2026-12-01" <= h["date"] <= "2026-12-31" for h in holidays)


def test_hours_overrides_are_created_changed_listed_and_deleted(center: Center) -> None:
    queue = _office_queue(center)
    closure = create_ok(
        center.client,
        center.tenant,
        "hours-overrides",
        {
            "name": "Christmas Eve afternoon",
            "kind": "closed",
            "first_day": "2026-12-24",
            "closed_from": "12:00",
            "queue_id": queue,
        },
    )
    assert closure["last_day"] == "2026-12-24"
    assert closure["closed_until"] is None
    shared = create_ok(
        center.client,
        center.tenant,
        "hours-overrides",
        {
            "name": "Sunday opening",
            "kind": "open",
            "first_day": "2026-12-20",
            "spans": [{"open": "10:00", "close": "14:00"}],
        },
    )
    other = _office_queue(center, "Other office")
    assert [o["id"] for o in center.get(f"hours-overrides?queue_id={queue}")] == [
        shared["id"],
        closure["id"],
    ]
    assert [o["id"] for o in center.get(f"hours-overrides?queue_id={other}")] == [shared["id"]]
    assert [o["id"] for o in center.get("hours-overrides?from=2026-12-21")] == [closure["id"]]

    path = f"/api/v1/hours-overrides/{closure['id']}"
    bad = center.client.patch(path, json={"closed_until": "11:00"}, headers=center.tenant.headers())
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "closed_until"]
    assert center.get(f"hours-overrides/{closure['id']}") == closure
    changed = center.client.patch(
        path, json={"closed_from": "13:00"}, headers=center.tenant.headers()
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["closed_from"] == "13:00"
    assert center.client.delete(path, headers=center.tenant.headers()).status_code == 204
    assert center.client.get(path, headers=center.tenant.headers()).status_code == 404
    assert [e["type"] for e in _events(center, "HoursOverride")] == [
        "HoursOverrideCreated",
        "HoursOverrideCreated",
        "HoursOverrideUpdated",
        "HoursOverrideDeleted",
    ]


def test_open_intervals_follow_holidays_closures_and_special_hours(center: Center) -> None:
    queue = _office_queue(center)
    assert _put_settings(center, {"country": "GB"}).status_code == 200
    create_ok(
        center.client,
        center.tenant,
        "hours-overrides",
        {"name": "Eve", "kind": "closed", "first_day": "2026-12-24", "closed_from": "12:00"},
    )
    create_ok(
        center.client,
        center.tenant,
        "hours-overrides",
        {
            "name": "Sunday before New Year",
            "kind": "open",
            "first_day": "2026-12-27",
            "spans": [{"open": "10:00", "close": "12:00"}],
            "queue_id": queue,
        },
    )
    intervals = center.get(
        f"queues/{queue}/open-intervals?from=2026-12-23T00:00:00Z&to=2026-12-30T00:00:00Z"
    )
    # Christmas Day (Fri 25) and the Boxing Day holiday moved to Monday 28 are closed in England.
    assert [(i["opens_at"], i["closes_at"]) for i in intervals] == [
        ("2026-12-23T09:00:00Z", "2026-12-23T17:00:00Z"),
        ("2026-12-24T09:00:00Z", "2026-12-24T12:00:00Z"),
        ("2026-12-27T10:00:00Z", "2026-12-27T12:00:00Z"),
        ("2026-12-29T09:00:00Z", "2026-12-29T17:00:00Z"),
    ]
    closed = center.get(f"queues/{queue}/open-state?at=2026-12-25T12:00:00Z")
    assert closed["is_open"] is False
    assert closed["next_open_at"] == "2026-12-27T10:00:00Z"
    now = center.get(f"queues/{queue}/open-state")  # the clock's now: Christmas noon
    assert (now["at"], now["is_open"]) == ("2026-12-25T12:00:00Z", False)
    open_ = center.get(f"queues/{queue}/open-state?at=2026-12-24T10:00:00Z")
    assert (open_["is_open"], open_["open_until"]) == (True, "2026-12-24T12:00:00Z")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "to"),
        ("from=2026-12-01T00:00:00Z&to=2027-03-01T00:00:00Z", "to"),
        ("from=2026-12-01T00:00:00&to=2026-12-02T00:00:00Z", "from"),
    ],
)
def test_bad_open_interval_spans_get_422_naming_the_parameter(
    center: Center, query: str, field: str
) -> None:
    queue = _office_queue(center)
    response = center.client.get(
        f"/api/v1/queues/{queue}/open-intervals?{query}", headers=center.tenant.headers()
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_a_contact_arriving_on_a_public_holiday_gets_the_closed_treatment(center: Center) -> None:
    queue = _office_queue(center, closed_treatment="message", closed_message="Merry Christmas")
    before = create_ok(
        center.client, center.tenant, "contacts", {"channel": "voice", "queue_id": queue}
    )
    assert before["state"] in {"queued", "offered"}  # a Friday noon: open without holidays

    assert _put_settings(center, {"country": "GB"}).status_code == 200
    on_holiday = create_ok(
        center.client, center.tenant, "contacts", {"channel": "voice", "queue_id": queue}
    )
    assert on_holiday["state"] == "closed"
    assert "ContactArrivedWhileClosed" in center.event_types(on_holiday["id"])

    create_ok(
        center.client,
        center.tenant,
        "hours-overrides",
        {
            "name": "Christmas hotline",
            "kind": "open",
            "first_day": "2026-12-25",
            "spans": [{"open": "10:00", "close": "14:00"}],
            "queue_id": queue,
        },
    )
    reopened = create_ok(
        center.client, center.tenant, "contacts", {"channel": "voice", "queue_id": queue}
    )
    assert reopened["state"] in {"queued", "offered"}


def test_a_forecast_calendar_event_that_closes_the_center_closes_routing(center: Center) -> None:
    create_ok(
        center.client,
        center.tenant,
        "calendar-events",
        {
            "name": "Office move",
            "starts_at": "2026-12-25T11:00:00Z",
            "ends_at": "2026-12-25T13:00:00Z",
            "volume_multiplier": 0,
        },
    )
    contact = center.contact("other")  # an always-open queue
    assert contact["state"] == "closed"
