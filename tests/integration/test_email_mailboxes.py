"""Organizations' email addresses (REST CRUD) and IMAP polling of a real mailbox (Dovecot)."""

from __future__ import annotations

import imaplib
import uuid
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from helpline.bootstrap import Database
from helpline.channels.base import ChannelRegistry
from helpline.channels.email import EmailAdapter
from helpline.channels.inbox import Inbox
from helpline.config import Settings
from helpline.domain.enums import Channel
from helpline.services.conversations.email import mailboxes_to_poll
from tests.center import build_center
from tests.factories import create_ok, make_client, make_tenant
from tests.network import ImapServer, imap_server

pytestmark = pytest.mark.integration


def test_email_addresses_are_managed_with_a_write_only_password(db: Database) -> None:
    client = make_client(db)
    tenant = make_tenant(db)
    queue = create_ok(client, tenant, "queues", {"name": "Email", "channel": "email"})
    address = f"Help-{uuid.uuid4().hex[:8]}@Bank.example"
    created = create_ok(
        client,
        tenant,
        "email-addresses",
        {
            "address": address,
            "queue_id": queue["id"],
            "imap_host": "imap.bank.example",
            "imap_username": "help",
            "imap_password": "s3cret-mailbox",
        },
    )
    assert created["address"] == address.lower()
    assert "imap_password" not in created
    url = f"/api/v1/email-addresses/{created['id']}"
    changed = client.patch(url, json={"poll_interval_seconds": 30}, headers=tenant.headers())
    assert changed.status_code == 200, changed.text
    assert changed.json()["poll_interval_seconds"] == 30
    listed = client.get("/api/v1/email-addresses", headers=tenant.headers())
    assert "s3cret-mailbox" not in listed.text
    events = client.get("/api/v1/events?limit=1000", headers=tenant.headers())
    assert "s3cret-mailbox" not in events.text

    other = make_tenant(db)
    other_queue = create_ok(client, other, "queues", {"name": "Email", "channel": "email"})
    taken = client.post(
        "/api/v1/email-addresses",
        json={"address": address, "queue_id": other_queue["id"]},
        headers=other.headers(),
    )
    # Another organization may claim it too, learning nothing of the first: mail goes to whoever
    # confirms the link emailed to the address (test_email_channel).
    assert taken.status_code == 201, taken.text
    assert taken.json()["is_verified"] is False
    again = client.post(
        "/api/v1/email-addresses",
        json={"address": address, "queue_id": other_queue["id"]},
        headers=other.headers(),
    )
    assert again.status_code == 409  # once per organization
    assert "this organization already has" in again.json()["detail"]
    assert client.delete(url, headers=tenant.headers()).status_code == 204
    assert client.get(url, headers=tenant.headers()).status_code == 404


def _append(server: ImapServer, message: EmailMessage, *, seen: bool = False) -> None:
    connection = imaplib.IMAP4(server.host, server.port)
    try:
        connection.login(server.username, server.password)
        flags = "(\\Seen)" if seen else None
        status, _ = connection.append("INBOX", flags, None, message.as_bytes())
        assert status == "OK"
    finally:
        connection.logout()


def _unseen(server: ImapServer) -> list[bytes]:
    connection = imaplib.IMAP4(server.host, server.port)
    try:
        connection.login(server.username, server.password)
        connection.select("INBOX", readonly=True)
        _, data = connection.uid("SEARCH", "UNSEEN")
        return data[0].split()
    finally:
        connection.logout()


def _customer_email(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"cust-{uuid.uuid4().hex[:8]}@example.com"
    message["To"] = "help@bank.example"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.com")
    message.set_content(f"About {subject}")
    return message


def test_imap_polling_takes_each_new_message_once_and_marks_it_seen(db: Database) -> None:
    with imap_server() as server:
        adapter = EmailAdapter(Settings(database_url="sqlite://"))
        center = build_center(db, channels=ChannelRegistry({Channel.EMAIL: adapter}))
        queue = create_ok(
            center.client, center.tenant, "queues", {"name": "Email", "channel": "email"}
        )
        address = create_ok(
            center.client,
            center.tenant,
            "email-addresses",
            {
                "address": f"help-{uuid.uuid4().hex[:8]}@bank.example",
                "queue_id": queue["id"],
                "acknowledges_new_contacts": False,
                "imap_host": server.host,
                "imap_port": server.port,
                "imap_security": "none",
                "imap_username": server.username,
                "imap_password": server.password,
                "poll_interval_seconds": 1,
            },
        )
        inbox: Inbox = center.client.app.state.inbox  # type: ignore[attr-defined]
        adapter.bind(inbox)
        assert adapter.poller is not None

        def mailbox() -> object:
            with db.transaction() as session:
                (found,) = [
                    m for m in mailboxes_to_poll(session) if m.route.address_id == address["id"]
                ]
            return found

        def subjects() -> list[str]:
            page = center.get(f"contacts?channel=email&queue_id={queue['id']}")
            return sorted(c["subject"] for c in page["items"])

        _append(server, _customer_email("old and read"), seen=True)
        _append(server, _customer_email("first"))
        _append(server, _customer_email("second"))
        assert adapter.poller.poll(mailbox()) == 2  # type: ignore[arg-type]
        assert subjects() == ["first", "second"]  # the first poll skips mail already read
        assert _unseen(server) == []
        assert adapter.poller.poll(mailbox()) == 0  # type: ignore[arg-type]

        _append(server, _customer_email("third"))
        assert adapter.poller.poll(mailbox()) == 1  # type: ignore[arg-type]
        assert subjects() == ["first", "second", "third"]
        state = mailbox().state  # type: ignore[attr-defined]
        assert state["last_uid"] == 4
        assert state["uidvalidity"] > 0

        # Progress of another mailbox does not apply: reading starts over, and what was stored
        # before is recognised by its Message-ID.
        patched = center.client.patch(
            f"/api/v1/email-addresses/{address['id']}",
            json={"imap_folder": "inbox"},
            headers=center.tenant.headers(),
        )
        assert patched.status_code == 200, patched.text
        connection = imaplib.IMAP4(server.host, server.port)
        connection.login(server.username, server.password)
        connection.select("INBOX")
        connection.uid("STORE", "1:*", "-FLAGS", "(\\Seen)")
        connection.logout()
        assert adapter.poller.poll(mailbox()) == 4  # type: ignore[arg-type]
        assert subjects() == ["first", "old and read", "second", "third"]
