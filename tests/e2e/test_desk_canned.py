"""End-to-end: an agent inserts a canned response, rendered by the server for the open contact."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import LiveServer, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

AGENT = "agent03@demo-bank.example"


def test_agent_inserts_a_canned_response_with_the_customers_name_at_the_cursor(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    agent_id = live_server.agents[AGENT]
    agent_name = live_server.call("GET", f"/agents/{agent_id}")["display_name"]
    page = new_page()
    log_in(page, live_server, AGENT)
    page.get_by_label("Set state").select_option("available")
    expect(page.locator("#state-now")).to_have_text("Available")

    contact = live_server.call(
        "POST",
        "/contacts",
        json={
            "channel": "chat",
            "queue_id": live_server.queues["Chat"],
            "customer": {"display_name": "Dana Whitfield", "identities": {"chat": "dana-w"}},
            "subject": "Card fee",
            "message": "Why was I charged a card fee?",
        },
    )
    offer = page.locator(f'.offer[data-contact="{contact["id"]}"]')
    offer.get_by_role("button", name="Accept").click()
    panel = page.locator(f"#panel-{contact['id']}")
    reply = panel.get_by_label("Reply")
    expect(panel.locator(".conversation")).to_contain_text("charged a card fee")

    canned = panel.get_by_label("Canned response")
    options = canned.locator("option")
    expect(options.filter(has_text="Greeting")).to_have_count(1)  # the organization's responses
    canned.select_option(label="Greeting")
    expect(reply).to_have_value(
        f"Hello Dana Whitfield, this is {agent_name}. How can I help you today?"
    )
    expect(canned).to_have_value("")  # ready for the next one
    expect(reply).to_be_focused()

    reply.fill("Sorry about that. ")
    reply.press("End")
    canned.select_option(label="One moment")
    expect(reply).to_have_value(
        "Sorry about that. Thank you, Dana Whitfield. Let me look into that for you."
    )
    screenshot(page, "desk-canned")
    reply.press("Control+Enter")
    expect(panel.locator(".conversation li.outbound")).to_contain_text("Thank you, Dana Whitfield.")
    messages = live_server.call("GET", f"/contacts/{contact['id']}/messages")
    assert messages[-1]["body"] == (
        "Sorry about that. Thank you, Dana Whitfield. Let me look into that for you."
    )
