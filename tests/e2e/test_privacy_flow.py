"""End-to-end: a manager exports a customer's data from the customer page, finds the export in the
audit log page, then erases the customer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import LiveServer, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

MANAGER = "manager@demo-bank.example"


def test_a_manager_exports_then_erases_a_customer_and_reads_the_audit_log(
    live_server: LiveServer, new_page: Callable[..., Page]
) -> None:
    customer = live_server.call(
        "POST",
        "/customers",
        json={"display_name": "Erin Export", "identities": {"email": "erin.export@example.com"}},
    )
    page = new_page()
    log_in(page, live_server, MANAGER)
    page.goto(f"{live_server.url}/customers/{customer['id']}")
    expect(page.get_by_role("heading", name="Erin Export")).to_be_visible()
    screenshot(page, "customer")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export data (ZIP)").click()
    assert download.value.suggested_filename == f"customer-{customer['id']}.zip"

    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Action").fill("customer.exported")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("#audit-entries tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"Customer {customer['id']}")
    screenshot(page, "audit")

    page.goto(f"{live_server.url}/customers/{customer['id']}")
    page.get_by_label("I want to erase this customer").check()
    page.get_by_role("button", name="Erase customer").click()
    expect(page.locator("#audit-entries tbody tr").first).to_contain_text("customer.erased")
    assert "Erin" not in page.content()
