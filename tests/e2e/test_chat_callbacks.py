"""End-to-end: a website visitor books a callback from the chat widget in a real headless Chromium."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import LiveServer, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

PHONE = "+1 212 555 0147"
NORMALIZED = "+12125550147"


def widget_key(server: LiveServer) -> dict[str, Any]:
    """Demo Bank's website widget (it names Billing (voice) as its callback queue)."""
    widgets: list[dict[str, Any]] = server.call("GET", "/chat-widgets")
    return next(w for w in widgets if w["name"] == "Website")


def slots(server: LiveServer, key: str) -> list[dict[str, Any]]:
    """The slots the widget's visitors are offered, as the public API lists them."""
    response = server.api.get("/chat/callback-slots", params={"key": key})
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()
    return listed


def start_chat(page: Page, server: LiveServer, key: str) -> None:
    page.goto(f"{server.url}/chat/demo?key={key}")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_label("Your name").fill("Robin Caller")
    page.get_by_label("Your email").fill("robin@example.com")
    page.get_by_label("What can we help with?").fill("A fee on my statement")
    page.get_by_role("button", name="Start chat").click()
    expect(page.get_by_label("Message (Enter to send, Shift+Enter for a new line)")).to_be_visible()


def test_visitor_books_a_callback_at_a_free_slot_after_a_full_one_and_a_bad_number(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    widget = widget_key(live_server)
    key = widget["public_key"]
    # A slot starting at least 10 minutes from now, so the scheduler does not route it meanwhile.
    soon = datetime.now(UTC) + timedelta(minutes=10)
    listed = [s for s in slots(live_server, key) if datetime.fromisoformat(s["start"]) >= soon]
    full, free = listed[0], listed[1]

    page = new_page()
    start_chat(page, live_server, key)
    page.get_by_role("button", name="Call me back").click()
    form = page.get_by_role("form", name="Book a callback")
    when = form.get_by_label("When should we call you?")
    option = when.locator(f'option[value="{full["start"]}"]')
    expect(option).to_have_count(1)
    expect(option).to_have_text(re.compile(r"\d{1,2}:\d{2}.*\d{1,2}:\d{2}"))  # local start to end
    assert when.locator("optgroup").count() >= 1  # grouped by day
    screenshot(page, "chat-callback")

    # A number the API refuses: the message stands next to the phone field.
    when.select_option(full["start"])
    form.get_by_label("Your phone number").fill("12")
    form.get_by_role("button", name="Book the callback").click()
    phone = form.get_by_label("Your phone number")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(form.locator("#hlw-phone-error")).to_contain_text("Please check the phone number")

    # Meanwhile others take every place of the chosen slot: 409, the list comes back without it.
    for _ in range(full["remaining"]):
        live_server.call(
            "POST",
            "/callbacks",
            json={
                "queue_id": widget["callback_queue_id"],
                "phone": "+12125550100",
                "slot_start": full["start"],
            },
        )
    phone.fill(PHONE)
    form.get_by_role("button", name="Book the callback").click()
    expect(form.locator("#hlw-slot-error")).to_have_text(
        "That time has just filled up. Please choose another time."
    )
    expect(when.locator(f'option[value="{full["start"]}"]')).to_have_count(0)
    expect(phone).not_to_have_attribute("aria-invalid", "true")

    when.select_option(free["start"])
    form.get_by_role("button", name="Book the callback").click()
    expect(form).to_be_hidden()
    expect(page.get_by_role("log", name="Conversation")).to_contain_text(
        f"Callback booked: we will call you on {NORMALIZED}"
    )
    booked = live_server.call(
        "GET",
        "/callbacks",
        params={"queue_id": widget["callback_queue_id"], "slot_from": free["start"]},
    )["items"]
    mine = [c for c in booked if c["phone"] == NORMALIZED]
    assert len(mine) == 1
    assert datetime.fromisoformat(mine[0]["slot_start"]) == datetime.fromisoformat(free["start"])
    assert (mine[0]["source"], mine[0]["subject"]) == ("chat", "A fee on my statement")


def test_widget_without_a_callback_queue_offers_no_callback(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    widget = widget_key(live_server)
    bare = live_server.call(
        "POST",
        "/chat-widgets",
        json={"name": "No callbacks", "queue_id": widget["queue_id"], "allowed_origins": ["*"]},
    )
    page = new_page()
    start_chat(page, live_server, bare["public_key"])
    expect(page.get_by_role("button", name="End chat")).to_be_visible()
    expect(page.get_by_role("button", name="Call me back")).to_be_hidden()
