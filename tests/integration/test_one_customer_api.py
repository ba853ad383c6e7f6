"""One customer: identities resolve across channels, duplicates are suggested with reasons, and a
merge moves everything to the survivor until an unmerge restores exactly the split."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.bootstrap import Database
from helpline.channels.base import ChannelRegistry, InboundMessage
from helpline.channels.inbox import Inbox
from helpline.channels.memory import MemoryAdapter
from helpline.domain.enums import Channel, IdentityKind, Role
from tests.center import Center, build_center
from tests.factories import create_ok

pytestmark = pytest.mark.integration


@pytest.fixture
def center(db: Database) -> Center:
    return build_center(db, channels=ChannelRegistry({Channel.CHAT: MemoryAdapter(Channel.CHAT)}))


def _inbox(center: Center) -> Inbox:
    inbox: Inbox = center.client.app.state.inbox  # type: ignore[attr-defined]
    return inbox


def _customer(center: Center, name: str, **identities: str) -> dict[str, Any]:
    return create_ok(
        center.client, center.tenant, "customers", {"display_name": name, "identities": identities}
    )


def _events(center: Center, kind: str) -> list[dict[str, Any]]:
    return [e for e in center.get("events?limit=1000")["events"] if e["type"] == kind]


def test_contacts_on_every_channel_find_the_known_customer(center: Center) -> None:
    known = _customer(center, "Jo", phone="020 7946 0002", email="Jo.Smith@Bücher.de")
    call = center.contact(customer={"identities": {"phone": "+44 (0)20 7946 0002"}})
    email = center.contact(customer={"identities": {"email": "  jo.smith@XN--BCHER-KVA.DE "}})
    chat = _inbox(center).receive_sync(
        center.tenant.actor,
        InboundMessage(
            Channel.CHAT,
            "chat-1",
            "Hi again",
            sender="visitor-9",
            identities={IdentityKind.CHAT: "visitor-9", IdentityKind.PHONE: "00442079460002"},
        ),
        queue_id=center.queues["chat"],
    )
    owners = {
        call["customer_id"],
        email["customer_id"],
        center.get(f"contacts/{chat.contact_id}")["customer_id"],
    }
    assert owners == {known["id"]}
    customer = center.get(f"customers/{known['id']}")
    assert customer["identities"] == {
        "phone": ["+442079460002"],
        "email": ["jo.smith@xn--bcher-kva.de"],
        "chat": ["visitor-9"],  # learnt from the chat and kept for next time
    }
    timeline = center.get(f"customers/{known['id']}/timeline")
    assert len(timeline["items"]) == 3
    assert {item["channel"] for item in timeline["items"]} == {"voice", "chat"}


def test_suggested_merges_come_with_reasons_and_scores(center: Center) -> None:
    jane = _customer(center, "Jane Doe", email="jane.doe@acme.com", phone="020 7946 0001")
    namesake = _customer(center, "jane doe", email="j.doe@acme.com")
    caller = _customer(center, "", phone="020 7946 0100")
    center.contact(customer_id=caller["id"], attributes={"account_phone": "020 7946 0001"})
    _customer(center, "Jane Doe", email="jane@gmail.com")  # the same name alone is too weak
    _customer(center, "Bob", email="bob@acme.com")

    found = center.get(f"customers/{jane['id']}/merge-suggestions")

    assert [s["customer"]["id"] for s in found] == [caller["id"], namesake["id"]]
    assert [r["rule"] for r in found[0]["reasons"]] == ["identity_in_contact_data"]
    assert "+442079460001" in found[0]["reasons"][0]["detail"]
    assert {r["rule"] for r in found[1]["reasons"]} == {"same_name_same_email_domain", "same_name"}
    assert found[0]["score"] == 0.8
    assert found[1]["score"] == pytest.approx(0.7)
    # The evidence works both ways: the caller's record suggests Jane's.
    back = center.get(f"customers/{caller['id']}/merge-suggestions")
    assert [s["customer"]["id"] for s in back] == [jane["id"]]


def _snapshot(center: Center, customer_id: int) -> dict[str, Any]:
    return {
        "identities": center.get(f"customers/{customer_id}")["identities"],
        "contacts": sorted(
            c["id"] for c in center.get(f"contacts?customer_id={customer_id}&limit=100")["items"]
        ),
        "cases": sorted(c["id"] for c in center.get(f"cases?customer_id={customer_id}")["items"]),
    }


def test_merge_moves_everything_and_unmerge_restores_the_split(center: Center) -> None:
    survivor = _customer(center, "Ann", email="ann@example.com")
    duplicate = _customer(center, "Ann B.", phone="020 7946 0003", email="ann.b@work.example")
    center.contact(customer_id=survivor["id"])
    dup_contact = center.contact(customer_id=duplicate["id"])
    dup_case = center.post("cases", {"subject": "Refund", "contact_ids": [dup_contact["id"]]})
    assert dup_case.status_code == 201, dup_case.text
    before = {c: _snapshot(center, c) for c in (survivor["id"], duplicate["id"])}

    denied = center.post(
        f"customers/{survivor['id']}/merge", {"merged_customer_id": duplicate["id"]}, Role.AGENT
    )
    assert denied.status_code == 403
    merged = center.post(
        f"customers/{survivor['id']}/merge", {"merged_customer_id": duplicate["id"]}
    )
    assert merged.status_code == 201, merged.text
    after = _snapshot(center, survivor["id"])
    assert after["identities"] == {
        "email": ["ann@example.com", "ann.b@work.example"],
        "phone": ["+442079460003"],
    }
    assert after["contacts"] == sorted(before[survivor["id"]]["contacts"] + [dup_contact["id"]])
    assert after["cases"] == [dup_case.json()["id"]]
    # The merged-away record points at its survivor: a redirect field on read, 409 on use.
    assert center.get(f"customers/{duplicate['id']}")["merged_into_id"] == survivor["id"]
    patched = center.client.patch(
        f"/api/v1/customers/{duplicate['id']}",
        json={"display_name": "X"},
        headers=center.tenant.headers(),
    )
    assert patched.status_code == 409
    assert f"merged into customer {survivor['id']}" in patched.json()["detail"]
    (event,) = _events(center, "CustomersMerged")
    assert event["actor"].startswith("apikey:")
    assert event["payload"]["contacts_moved"] == 1
    # A call from the duplicate's number now lands on the survivor and stays there.
    later = center.contact(customer={"identities": {"phone": "020 7946 0003"}})
    assert later["customer_id"] == survivor["id"]

    unmerged = center.post(f"customers/{duplicate['id']}/unmerge")
    assert unmerged.status_code == 200, unmerged.text
    assert _snapshot(center, duplicate["id"]) == before[duplicate["id"]]
    restored = _snapshot(center, survivor["id"])
    assert restored["identities"] == before[survivor["id"]]["identities"]
    assert restored["contacts"] == sorted(before[survivor["id"]]["contacts"] + [later["id"]])
    assert center.get(f"customers/{duplicate['id']}")["merged_into_id"] is None
    (undo,) = _events(center, "CustomersUnmerged")
    assert undo["payload"]["merge_id"] == merged.json()["id"]
    assert center.post(f"customers/{duplicate['id']}/unmerge").status_code == 409
    history = center.get(f"customers/{survivor['id']}/merges")
    assert [m["unmerged_at"] is not None for m in history] == [True]


def test_a_customer_cannot_merge_into_itself_or_twice(center: Center) -> None:
    a = _customer(center, "A", email="a@example.com")
    b = _customer(center, "B", email="b@example.com")
    itself = center.post(f"customers/{a['id']}/merge", {"merged_customer_id": a["id"]})
    assert itself.status_code == 422
    assert (
        center.post(f"customers/{a['id']}/merge", {"merged_customer_id": b["id"]}).status_code
        == 201
    )
    again = center.post(f"customers/{a['id']}/merge", {"merged_customer_id": b["id"]})
    assert again.status_code == 409


def test_timeline_pages_through_contacts_with_transcripts_notes_and_cases(center: Center) -> None:
    customer = _customer(center, "Pat", phone="020 7946 0004")
    ids = [center.contact(customer_id=customer["id"], message=f"call {n}")["id"] for n in range(5)]
    case = center.post("cases", {"subject": "Broken", "contact_ids": [ids[0]]}).json()
    first = center.get(f"customers/{customer['id']}/timeline?limit=2")
    assert [item["id"] for item in first["items"]] == [ids[4], ids[3]]
    assert first["items"][0]["messages"][0]["body"] == "call 4"
    assert [c["reference"] for c in first["cases"]] == [case["reference"]]
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_before_id"]
    while cursor is not None:
        page = center.get(f"customers/{customer['id']}/timeline?limit=2&before_id={cursor}")
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_before_id"]
        last = page
    assert seen == ids[::-1]
    assert last["items"][-1]["case_ids"] == [case["id"]]
