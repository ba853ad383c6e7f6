"""A real Helpline server on a free port and a real headless Chromium driving it (Playwright).

The server runs the application under uvicorn in a thread over a fresh SQLite database holding Demo
Bank (queues always open, so routing does not depend on the hour the tests run at).
Set ``HELPLINE_SCREENSHOTS=docs/screenshots`` to save a screenshot of each page the tests visit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Page

from helpline.bootstrap import open_database
from helpline.config import Settings
from helpline.demo.organization import DEMO_PASSWORD, load_demo
from helpline.domain.enums import Role
from helpline.services.acd import configuration as config
from helpline.services.actor import system_actor
from helpline.services.identity import organizations
from helpline.storage import migrations
from helpline.storage.tables import Organization

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = os.environ.get("HELPLINE_SCREENSHOTS", "")


@dataclass(frozen=True)
class LiveServer:
    """A running server: its URL, an admin API client, and Demo Bank's ids."""

    url: str
    api: httpx.Client
    organization_id: int
    time_zone: str
    agents: dict[str, int]  # login email -> agent id
    queues: dict[str, int]  # queue name -> id
    wrap_up_codes: dict[str, int]

    def today(self) -> str:
        """Today's date in the organization's zone (ISO)."""
        return datetime.now(ZoneInfo(self.time_zone)).date().isoformat()

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """An API call with the admin key; fails the test on an error status."""
        response = self.api.request(method, f"/api/v1{path}", **kwargs)
        assert response.status_code < 400, response.text
        return response.json() if response.content else None


def prepare(database_url: str) -> tuple[int, str, str]:
    db = open_database(Settings(database_url=database_url))
    try:
        migrations.upgrade(db.engine)
        with db.transaction() as session:
            summary = load_demo(session, datetime.now(ZoneInfo("UTC")))
            actor = system_actor(summary.organization_id)
            for queue in config.list_rows(session, actor, config.QUEUE, limit=100, offset=0):
                config.update(
                    session, actor, config.QUEUE, queue["id"], {"hours": {"always_open": True}}
                )
            key = organizations.create_api_key(session, actor, name="e2e", role=Role.ADMIN).key
            zone = session.get_one(Organization, summary.organization_id).time_zone
        return summary.organization_id, key, zone
    finally:
        db.dispose()


def log_in(page: Page, server: LiveServer, email: str) -> None:
    """Log in through the login form, as a person would."""
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def screenshot(page: Page, name: str) -> None:
    """Save the page under $HELPLINE_SCREENSHOTS/NAME.png when screenshots were asked for."""
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
