"""Fixtures of the browser tests: the live server, Chromium and fresh pages (see browser.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from helpline.asgi import create_app
from helpline.config import Settings
from helpline.storage.tables import Agent, User
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer, prepare
from tests.network import free_port


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Demo Bank served by uvicorn on a free port of 127.0.0.1 for the browser tests."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'helpline.db'}"
    organization_id, key, zone = prepare(database_url)
    settings = Settings(database_url=database_url, event_poll_seconds=0.2)
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        assert thread.is_alive(), "the server stopped while starting"
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=10)
    db = app.state.db
    with db.transaction() as session:
        agents = dict(
            session.execute(
                select(User.email, Agent.id)
                .join(Agent, Agent.user_id == User.id)
                .where(Agent.organization_id == organization_id)
            ).all()
        )
    queues = {q["name"]: q["id"] for q in api.get("/api/v1/queues").json()}
    codes = {c["code"]: c["id"] for c in api.get("/api/v1/wrap-up-codes").json()}
    try:
        yield LiveServer(url, api, organization_id, zone, agents, queues, codes)
    finally:
        api.close()
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (no downloaded browser build).

    Module-scoped: Playwright's sync API keeps an event loop on the main thread while it runs, which
    would break ``asyncio.run`` in the tests that follow.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Any]:
    """Pages in a fresh browser context (own cookies) at 1280x800, closed after the test."""
    contexts = []

    def make(width: int = 1280, height: int = 800) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
