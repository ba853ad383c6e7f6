"""Retention policies: on a fixed clock, the retention run deletes (email) or anonymises (SMS) the
content of contacts older than the policy's days, leaves younger ones and other channels alone,
never processes a contact twice, and records each run in the audit log."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from helpline.bootstrap import Database
from helpline.domain.enums import Channel, IdentityKind, Role
from helpline.domain.messages import Attachment, InboundMessage
from helpline.domain.privacy import ERASED
from helpline.services.conversations.messaging import receive_message
from helpline.services.privacy.retention import RetentionScheduler
from helpline.storage import tables
from tests.center import FakeClock
from tests.factories import Tenant, make_client, make_tenant

pytestmark = pytest.mark.integration


def _receive(db: Database, tenant: Tenant, channel: Channel, mark: str) -> int:
    kind = IdentityKind.EMAIL if channel is Channel.EMAIL else IdentityKind.PHONE
    value = f"{mark}@example.com" if kind is IdentityKind.EMAIL else "+447700900555"
    inbound = InboundMessage(
        channel,
        f"{channel.value}-{mark}",
        f"Body {mark}",
        sender=value,
        identities={kind: value},
        attachments=(Attachment("a.txt", "text/plain", mark.encode()),),
    )
    with db.transaction() as session:
        return receive_message(session, tenant.actor, inbound).contact_id


def _messages(db: Database, contact_id: int) -> list[tuple[str, int]]:
    with db.read() as session:
        rows = session.scalars(
            select(tables.Message).where(tables.Message.contact_id == contact_id)
        ).all()
        files = session.scalars(
            select(tables.MessageAttachment).where(
                tables.MessageAttachment.message_id.in_([r.id for r in rows])
            )
        ).all()
        return [(r.body, len([f for f in files if f.message_id == r.id])) for r in rows]


def _customer_of(db: Database, contact_id: int) -> int | None:
    with db.read() as session:
        contact = session.get(tables.Contact, contact_id)
        assert contact is not None
        return contact.customer_id


def test_old_contacts_content_is_deleted_or_anonymised_on_a_fixed_clock(db: Database) -> None:
    clock = FakeClock()
    timed = db.with_clock(clock)
    tenant = make_tenant(timed)
    client = make_client(timed)
    mark = uuid.uuid4().hex[:12]
    old_email = _receive(timed, tenant, Channel.EMAIL, f"old-{mark}")
    old_sms = _receive(timed, tenant, Channel.SMS, f"old-{mark}")
    old_chat = _receive(timed, tenant, Channel.CHAT, f"old-{mark}")
    clock.advance(timedelta(days=20).total_seconds())
    young_email = _receive(timed, tenant, Channel.EMAIL, f"young-{mark}")

    policies = {
        "policies": [
            {"channel": "email", "keep_days": 30, "mode": "delete"},
            {"channel": "sms", "keep_days": 30, "mode": "anonymise"},
        ]
    }
    response = client.put("/api/v1/retention-policies", json=policies, headers=tenant.headers())
    assert response.status_code == 200, response.text
    assert [(p["channel"], p["mode"]) for p in response.json()] == [
        ("email", "delete"),
        ("sms", "anonymise"),
    ]
    refused = client.put(
        "/api/v1/retention-policies", json=policies, headers=tenant.headers(Role.SUPERVISOR)
    )
    assert refused.status_code == 403

    scheduler = RetentionScheduler(timed)
    assert scheduler.run_once()[tenant.organization_id]["email"]["contacts"] == 0

    clock.advance(timedelta(days=11).total_seconds())  # old ones are 31 days old, young 11
    counts = scheduler.run_once()[tenant.organization_id]
    assert counts["email"] == {"contacts": 1, "messages": 1, "attachments": 1, "events": 1}
    assert counts["sms"]["contacts"] == 1
    assert _messages(timed, old_email) == []
    assert _messages(timed, old_sms) == [(ERASED, 0)]
    assert _customer_of(timed, old_sms) is None
    assert _customer_of(timed, old_email) is not None  # delete keeps the contact's customer
    assert _messages(timed, old_chat) == [(f"Body old-{mark}", 1)]  # no chat policy
    assert _messages(timed, young_email) == [(f"Body young-{mark}", 1)]

    again = scheduler.run_once()[tenant.organization_id]
    assert again["email"]["contacts"] == again["sms"]["contacts"] == 0

    audit = client.get(
        "/api/v1/audit", params={"actor": "system"}, headers=tenant.headers(Role.MANAGER)
    ).json()["entries"]
    runs: list[dict[str, Any]] = [e for e in audit if e["action"] == "retention.run"]
    assert len(runs) == 3
    assert runs[1]["detail"]["email"]["contacts"] == 1
    assert runs[1]["occurred_at"].startswith(clock.now.date().isoformat())
    changed = client.get(
        "/api/v1/audit",
        params={"action": "retention_policies.set"},
        headers=tenant.headers(Role.MANAGER),
    ).json()["entries"]
    assert len(changed) == 1
