"""End-to-end: a manager changes the routing calendar on the hours page; a supervisor only reads it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import LiveServer, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_manager_sets_holidays_and_adds_and_deletes_a_closure(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    log_in(page, live_server, "manager@demo-bank.example")
    page.goto(f"{live_server.url}/config")
    page.get_by_role("link", name="Hours of operation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hours of operation")

    settings = page.get_by_role("form", name="Holiday settings")
    settings.get_by_label("Holiday country").fill("ZZ")
    settings.get_by_role("button", name="Save holiday settings").click()
    country = page.get_by_role("form", name="Holiday settings").get_by_label("Holiday country")
    expect(country).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#holiday-country-error")).to_contain_text("no public holidays known")
    country.fill("US")
    page.get_by_label("Subdivision (optional)").fill("NY")
    page.get_by_label("Public holidays close every queue").uncheck()
    page.get_by_role("button", name="Save holiday settings").click()
    expect(page.get_by_role("status")).to_have_text("Holiday settings saved.")
    expect(page.locator("#holiday-settings")).to_have_text(
        "Public holidays of US-NY do not close routing."
    )
    assert live_server.call("GET", "/holiday-settings") == {
        "country": "US",
        "subdivision": "NY",
        "close_routing": False,
    }

    first = date.fromisoformat(live_server.today()) + timedelta(days=20)
    add = page.get_by_role("form", name="Add a closure or special opening hours")
    add.get_by_label("Name").fill("Branch move")
    add.get_by_label("Queue").select_option(label="Cards (voice)")
    add.get_by_label("First day").fill(first.isoformat())
    add.get_by_label("Last day (optional)").fill((first - timedelta(days=1)).isoformat())
    add.get_by_role("button", name="Add").click()
    last = page.get_by_label("Last day (optional)")
    expect(last).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#override-last_day-error")).to_have_text("must not be before first_day")
    expect(page.get_by_label("Name")).to_have_value("Branch move")  # the rest is kept
    last.fill((first + timedelta(days=1)).isoformat())
    page.get_by_label("Closed from (optional)").fill("12:00")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("status")).to_have_text("Added.")
    row = page.locator("#hours-overrides tr", has_text="Branch move")
    expect(row).to_contain_text("Cards (voice)")
    expect(row).to_contain_text("closed from 12:00")
    screenshot(page, "config-hours")
    stored = [o for o in live_server.call("GET", "/hours-overrides") if o["name"] == "Branch move"]
    assert [(o["queue_id"], o["first_day"], o["closed_from"]) for o in stored] == [
        (live_server.queues["Cards (voice)"], first.isoformat(), "12:00")
    ]

    row.get_by_role("button", name="Delete Branch move").click()
    expect(page.get_by_role("status")).to_have_text("Deleted.")
    expect(page.locator("#hours-overrides tr", has_text="Branch move")).to_have_count(0)
    assert not [
        o for o in live_server.call("GET", "/hours-overrides") if o["name"] == "Branch move"
    ]


def test_supervisor_reads_the_calendar_without_forms(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    log_in(page, live_server, "supervisor@demo-bank.example")
    page.goto(f"{live_server.url}/config/hours")
    expect(page.get_by_role("heading", name="Routing calendar")).to_be_visible()
    expect(page.get_by_role("form")).to_have_count(0)
    expect(page.get_by_role("button", name="Save holiday settings")).to_have_count(0)
