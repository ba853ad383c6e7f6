"""End-to-end: the pages and the chat widget work under the Content-Security-Policy (Chromium
reports no violation), and no page of the application can be framed by another site."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.e2e.browser import LiveServer, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _watch_violations(page: Page) -> list[str]:
    violations: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", seen)
    return violations


@pytest.mark.parametrize(
    ("email", "paths"),
    [
        ("manager@demo-bank.example", ["/dashboard", "/config", "/config/hours", "/planning"]),
        ("supervisor@demo-bank.example", ["/wallboard"]),
        ("agent01@demo-bank.example", ["/desk"]),
    ],
)
def test_pages_run_under_the_policy_without_violations(
    live_server: LiveServer, new_page: Callable[..., Page], email: str, paths: list[str]
) -> None:
    page = new_page()
    violations = _watch_violations(page)
    log_in(page, live_server, email)
    for path in paths:
        page.goto(f"{live_server.url}{path}", timeout=30_000)  # charts render on a busy machine
        expect(page.locator("main")).to_be_visible()
    assert violations == []


def test_the_chat_widget_runs_on_its_demo_page(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    widgets = live_server.call("GET", "/chat-widgets")
    key = next(w["public_key"] for w in widgets if w["name"] == "Website")
    page = new_page()
    violations = _watch_violations(page)
    page.goto(f"{live_server.url}/chat/demo?key={key}")
    page.get_by_role("button", name="Chat with us").click()
    expect(page.get_by_label("Your name")).to_be_visible()
    assert violations == []


def test_another_site_cannot_frame_the_desk_or_configuration(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    with page.expect_response(lambda response: response.url.endswith("/login")):
        page.set_content(
            f'<iframe id="f" src="{live_server.url}/login" width="600" height="400"></iframe>'
        )
    frame = page.frames[-1]
    frame.wait_for_load_state()
    assert not frame.url.startswith(live_server.url)  # Chromium shows its error page instead
    expect(page.frame_locator("#f").get_by_role("button", name="Log in")).to_have_count(0)
