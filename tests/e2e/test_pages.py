"""End-to-end: real people's paths through the pages in a real headless Chromium."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import LiveServer, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

AGENT = "agent01@demo-bank.example"
COLLEAGUE = "agent02@demo-bank.example"


def chat_contact(server: LiveServer, handle: str, text: str, topic: str) -> dict[str, Any]:
    """A chat contact created through the API, as the chat channel would."""
    result: dict[str, Any] = server.call(
        "POST",
        "/contacts",
        json={
            "channel": "chat",
            "queue_id": server.queues["Chat"],
            "customer": {"display_name": f"Chatty {handle}", "identities": {"chat": handle}},
            "subject": f"Question {handle}",
            "message": text,
            "attributes": {"pre_chat_topic": topic},
        },
    )
    return result


def set_state(server: LiveServer, email: str, state: str, reason: str | None = None) -> None:
    server.call(
        "POST", f"/agents/{server.agents[email]}/state", json={"state": state, "reason": reason}
    )


def test_login_page_refuses_a_wrong_password(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    page.goto(f"{live_server.url}/desk")
    expect(page).to_have_url(f"{live_server.url}/login?next=/desk")
    screenshot(page, "login")
    page.get_by_label("Email").fill(AGENT)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")


def test_agent_takes_offers_replies_transfers_and_wraps_up(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    log_in(page, live_server, AGENT)
    expect(page).to_have_url(f"{live_server.url}/desk")
    expect(page.get_by_role("link", name="Wallboard")).to_have_count(0)  # agents see only the desk
    page.get_by_label("Set state").select_option("available")
    expect(page.locator("#state-now")).to_have_text("Available")

    first = chat_contact(live_server, "visitor-1", "Hello, my card was declined.", "cards")
    offer = page.locator(f'.offer[data-contact="{first["id"]}"]')
    expect(offer).to_be_visible(timeout=2_000)  # pushed over the WebSocket within 2 s
    expect(offer.locator(".countdown")).to_have_text(re.compile(r"^\d+ s$"))
    screenshot(page, "desk-offer")
    offer.get_by_role("button", name="Accept").click()
    panel = page.locator(f"#panel-{first['id']}")
    expect(panel.locator(".conversation")).to_contain_text("my card was declined")
    expect(panel.locator(".customer")).to_contain_text("cards")  # what the pre-chat collected
    expect(panel.locator(".customer")).to_contain_text("No open cases")  # timeline and cases loaded

    second = chat_contact(live_server, "visitor-2", "I need a statement.", "billing")
    page.locator(f'.offer[data-contact="{second["id"]}"]').wait_for(timeout=2_000)
    page.keyboard.press("Alt+a")  # the shortcut accepts the offer
    expect(page.get_by_role("tab")).to_have_count(2)  # two chats at once, in tabs

    page.get_by_role("tab", name=f"chat #{first['id']}").click()
    panel.get_by_label("Canned response").select_option(label="Greeting")
    expect(panel.get_by_label("Reply")).to_have_value(
        "Hello Chatty visitor-1, this is Blair Smith. How can I help you today?"
    )
    panel.get_by_label("Reply").fill("Let me unblock that card for you.")
    panel.get_by_label("Reply").press("Control+Enter")
    expect(panel.locator(".conversation li.outbound")).to_contain_text("unblock that card")
    screenshot(page, "desk")

    panel.get_by_role("button", name="End (Alt+E)").click()
    panel.get_by_label("Wrap-up code").select_option(label="Card activated")
    panel.get_by_label("Notes").fill("Card unblocked after ID check.")
    panel.get_by_role("button", name="Wrap up").click()
    expect(panel).to_have_count(0)
    closed = live_server.call("GET", f"/contacts/{first['id']}")
    assert closed["state"] == "closed"
    assert closed["wrap_up_code_id"] == live_server.wrap_up_codes["card-activation"]
    assert closed["notes"] == "Card unblocked after ID check."
    messages = live_server.call("GET", f"/contacts/{first['id']}/messages")
    assert [m["direction"] for m in messages] == ["inbound", "outbound"]

    set_state(live_server, COLLEAGUE, "available")
    other = page.locator(f"#panel-{second['id']}")
    page.get_by_role("tab", name=f"chat #{second['id']}").click()
    other.get_by_label("Transfer to").select_option(label="Casey Nguyen")
    other.get_by_role("button", name="Transfer").click()
    expect(other).to_have_count(0)
    moved = live_server.call("GET", f"/contacts/{second['id']}")
    assert moved["agent_id"] == live_server.agents[COLLEAGUE]
    assert moved["state"] == "offered"
    set_state(live_server, AGENT, "offline")


def test_supervisor_sees_queues_and_agents_change_without_reload(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    log_in(page, live_server, "supervisor@demo-bank.example")
    expect(page).to_have_url(f"{live_server.url}/wallboard")
    expect(page.locator("#live")).to_have_text("live")
    page.evaluate("window.notReloaded = true")
    email_row = page.locator(f'#queues tr[data-queue="{live_server.queues["Email"]}"]')
    before = int(email_row.locator(".waiting").inner_text())

    live_server.call(
        "POST",
        "/contacts",
        json={
            "channel": "email",
            "queue_id": live_server.queues["Email"],
            "customer": {"identities": {"email": "waiting@example.com"}},
            "subject": "Nobody is on email",
        },
    )
    expect(email_row.locator(".waiting")).to_have_text(str(before + 1))
    agent = "agent03@demo-bank.example"
    set_state(live_server, agent, "not_ready", "training")
    row = page.locator(f'#agents tr[data-agent="{live_server.agents[agent]}"]')
    expect(row).to_have_attribute("data-state", "not_ready")
    expect(row).to_contain_text("training")
    set_state(live_server, agent, "available")
    expect(row).to_have_attribute("data-state", "available")
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "wallboard")

    email_row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Email")
    expect(page.locator("body")).to_contain_text("Nobody is on email")
    screenshot(page, "wallboard-queue")
    set_state(live_server, agent, "offline")


def test_manager_dashboard_charts_today(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    agent = "agent04@demo-bank.example"
    agent_id = live_server.agents[agent]
    set_state(live_server, agent, "available")
    contact = live_server.call(
        "POST",
        "/contacts",
        json={
            "channel": "voice",
            "queue_id": live_server.queues["Billing (voice)"],
            "customer": {"identities": {"phone": "+12125550199"}},
            "subject": "Fee question",
        },
    )
    for step in ("accept", "end"):
        live_server.call(
            "POST",
            f"/contacts/{contact['id']}/{step}",
            json={"agent_id": agent_id} if step == "accept" else None,
        )
    live_server.call(
        "POST",
        f"/contacts/{contact['id']}/wrap-up",
        json={"wrap_up_code_id": live_server.wrap_up_codes["billing-question"]},
    )
    set_state(live_server, agent, "offline")

    page = new_page()
    log_in(page, live_server, "manager@demo-bank.example")
    today = live_server.today()
    page.goto(f"{live_server.url}/dashboard?from={today}&to={today}&interval=30m")
    assert int(page.locator("#kpi-offered").inner_text()) >= 1
    volume = page.get_by_role("figure", name="Volume per 30m")
    expect(volume.locator("svg")).to_be_visible()
    assert volume.locator("svg path, svg rect").count() > 10
    volume.get_by_text("Data table").click()
    expect(volume.locator("tbody tr").first).to_be_visible()
    screenshot(page, "dashboard")

    page.get_by_label("Queue").select_option(label="Billing (voice)")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"queue_id=\d+"))
    assert int(page.locator("#kpi-offered").inner_text()) >= 1

    for path, name in (
        ("/config", "config"),
        ("/config/queues", "config-queues"),
        ("/planning", "planning"),
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        screenshot(page, name)
    page.goto(f"{live_server.url}/config/queues/{live_server.queues['Chat']}")
    screenshot(page, "config-queue-form")


def test_desk_fits_a_narrow_screen(live_server: LiveServer, new_page: Callable[..., Page]) -> None:
    page = new_page(width=390, height=844)
    log_in(page, live_server, "agent05@demo-bank.example")
    expect(page.locator("#state-now")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing forces sideways scrolling
    screenshot(page, "desk-narrow")
