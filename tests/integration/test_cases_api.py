"""Cases: lifecycle, SLA clocks in business hours (paused while pending the customer), warnings,
breaches and escalation on a moved clock, references and filters."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from helpline.bootstrap import Database
from helpline.channels.base import ChannelRegistry, InboundMessage
from helpline.channels.inbox import Inbox
from helpline.channels.memory import MemoryAdapter
from helpline.domain.enums import Channel, IdentityKind, Role
from helpline.services.cases.cases import NewCase, create_case, find_case_by_reference
from helpline.services.cases.sla import CaseSlaMonitor
from helpline.storage.tables import Case
from tests.center import Center, FakeClock, build_center
from tests.factories import create_ok, make_tenant

pytestmark = pytest.mark.integration

WEDNESDAY_NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Europe/London is UTC in November
OFFICE_HOURS = {
    "always_open": False,
    "weekly": {
        day: [{"open": "09:00", "close": "17:00"}] for day in ("mon", "tue", "wed", "thu", "fri")
    },
}


@pytest.fixture
def center(db: Database) -> Center:
    return build_center(
        db,
        FakeClock(WEDNESDAY_NOON),
        channels=ChannelRegistry({Channel.CHAT: MemoryAdapter(Channel.CHAT)}),
    )


def _policy(center: Center, **extra: Any) -> dict[str, Any]:
    body = {
        "name": "Standard",
        "first_response_seconds": 2 * 3600,
        "resolution_seconds": 8 * 3600,
        "warn_ratio": 0.8,
        "hours": OFFICE_HOURS,
        "escalate_to_agent_id": center.agents[1],
        "is_default": True,
    } | extra
    return create_ok(center.client, center.tenant, "sla-policies", body)


def _monitor(center: Center) -> CaseSlaMonitor:
    monitor: CaseSlaMonitor = center.client.app.state.case_sla  # type: ignore[attr-defined]
    return monitor


def _inbox(center: Center) -> Inbox:
    inbox: Inbox = center.client.app.state.inbox  # type: ignore[attr-defined]
    return inbox


def _chat(center: Center, external_id: str, contact_id: int | None = None) -> int:
    received = _inbox(center).receive_sync(
        center.tenant.actor,
        InboundMessage(
            Channel.CHAT,
            external_id,
            "My parcel never arrived",
            sender="visitor-5",
            identities={IdentityKind.CHAT: "visitor-5"},
        ),
        queue_id=center.queues["chat"],
        contact_id=contact_id,
    )
    return received.contact_id


def _case(center: Center, **body: Any) -> dict[str, Any]:
    response = center.post("cases", {"subject": "Parcel lost"} | body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def _status(center: Center, case_id: int, status: str) -> dict[str, Any]:
    response = center.post(f"cases/{case_id}/status", {"status": status}, Role.AGENT)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def _at(day: int, hour: float) -> str:
    """ISO time on November ``day`` 2026 (UTC) as the API writes it."""
    moment = datetime(2026, 11, day, tzinfo=UTC) + timedelta(hours=hour)
    return moment.isoformat().replace("+00:00", "Z")


def _case_events(center: Center, case_id: int) -> list[tuple[str, Any]]:
    events = center.get("events?limit=1000")["events"]
    return [
        (e["type"], e["payload"].get("target") or e["payload"].get("to"))
        for e in events
        if e["type"].startswith("Case") and e["payload"].get("case_id") == case_id
    ]


def _sla_events(center: Center, case_id: int) -> list[tuple[str, Any]]:
    kinds = {"CaseSlaWarning", "CaseSlaBreached", "CaseEscalated"}
    return [e for e in _case_events(center, case_id) if e[0] in kinds]


def _move_to(center: Center, moment: datetime) -> None:
    center.clock.now = moment
    _monitor(center).evaluate()


def test_case_lifecycle_pauses_the_clock_while_pending_the_customer(center: Center) -> None:
    _policy(center)
    contact = _chat(center, "c-1")
    case = _case(center, contact_ids=[contact])
    assert case["reference"].startswith("C-")
    assert case["status"] == "new"
    assert case["sla"]["first_response"]["due_at"] == _at(25, 14)
    assert case["sla"]["resolution"]["due_at"] == _at(26, 12)  # 5 h on Wednesday, 3 on Thursday

    # The agent answers the chat half an hour later: that is the first response.
    center.clock.advance(1800)
    center.available(center.agents[0])
    accepted = center.post(f"contacts/{contact}/accept", {"agent_id": center.agents[0]})
    assert accepted.status_code == 200, accepted.text
    _monitor(center).evaluate_changed()
    case = center.get(f"cases/{case['id']}")
    assert case["first_response_at"] == _at(25, 12.5)
    assert case["sla"]["first_response"]["phase"] == "met"

    center.clock.advance(1800)
    _status(center, case["id"], "open")
    pending = _status(center, case["id"], "pending_customer")
    assert pending["sla"]["resolution"]["is_running"] is False
    assert pending["sla"]["resolution"]["due_at"] is None

    # A day passes waiting for the customer: the clock stands still.
    _move_to(center, datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
    waiting = center.get(f"cases/{case['id']}")
    assert waiting["status"] == "pending_customer"
    assert waiting["sla"]["resolution"]["elapsed_seconds"] == 3600
    assert waiting["sla"]["resolution"]["phase"] == "on_track"

    # The customer answers on the linked contact: the case reopens and the clock runs again.
    _chat(center, "c-2", contact_id=contact)
    _monitor(center).evaluate_changed()
    resumed = center.get(f"cases/{case['id']}")
    assert resumed["status"] == "open"
    assert resumed["sla"]["resolution"]["due_at"] == _at(26, 17)  # 7 h left from 10:00 Thursday
    center.clock.advance(3600)
    solved = _status(center, case["id"], "solved")
    assert solved["sla"]["resolution"]["phase"] == "met"
    assert solved["sla"]["resolution"]["elapsed_seconds"] == 2 * 3600
    assert _status(center, case["id"], "open")["solved_at"] is None  # reopened
    assert _status(center, case["id"], "closed")["closed_at"] is not None
    refused = center.post(f"cases/{case['id']}/status", {"status": "open"})
    assert refused.status_code == 409
    assert [e for e in _case_events(center, case["id"]) if e[0] == "CaseStatusChanged"] == [
        ("CaseStatusChanged", s)
        for s in ("open", "pending_customer", "open", "solved", "open", "closed")
    ]
    assert not [e for e in _case_events(center, case["id"]) if "Sla" in e[0]]


def _next_check(db: Database, case_id: int) -> datetime | None:
    with db.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.sla_check_at


def test_warning_then_breach_escalates_on_a_moved_clock(center: Center, db: Database) -> None:
    _policy(center)
    case = _case(center, assignee_agent_id=center.agents[0], priority="high")

    _move_to(center, WEDNESDAY_NOON + timedelta(minutes=90))
    assert _sla_events(center, case["id"]) == []
    # The tick looks at the case again only when its warning falls due (96 minutes).
    assert _next_check(db, case["id"]) == WEDNESDAY_NOON + timedelta(minutes=96)
    _move_to(center, WEDNESDAY_NOON + timedelta(minutes=100))  # 83% of the 2 h target
    assert _sla_events(center, case["id"]) == [("CaseSlaWarning", "first_response")]
    _move_to(center, WEDNESDAY_NOON + timedelta(hours=2))
    _monitor(center).evaluate()  # evaluating again changes nothing
    assert _sla_events(center, case["id"])[1:] == [
        ("CaseSlaBreached", "first_response"),
        ("CaseEscalated", "first_response"),
    ]
    escalated = center.get(f"cases/{case['id']}")
    assert escalated["assignee_agent_id"] == center.agents[1]
    assert escalated["is_breached"] is True
    assert escalated["sla"]["first_response"]["phase"] == "breached"
    assert [c["id"] for c in center.get("cases?breached=true")["items"]] == [case["id"]]
    assert center.get("cases?breached=false")["items"] == []
    assert _next_check(db, case["id"]) == datetime(2026, 11, 26, 10, 24, tzinfo=UTC)

    # Overnight the resolution clock stands still (5 of 8 business hours used on Wednesday)...
    _move_to(center, datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    assert len(_sla_events(center, case["id"])) == 3
    # ...and warns at 80% (6.4 h) on Thursday at 10:24.
    _move_to(center, datetime(2026, 11, 26, 10, 30, tzinfo=UTC))
    assert _sla_events(center, case["id"])[3:] == [("CaseSlaWarning", "resolution")]


def test_a_case_opened_after_hours_is_due_after_the_office_opens(center: Center) -> None:
    _policy(center, hours={"always_open": True})
    queue_hours = center.client.patch(
        f"/api/v1/queues/{center.queues['chat']}",
        json={"hours": OFFICE_HOURS},
        headers=center.tenant.headers(),
    )
    assert queue_hours.status_code == 200, queue_hours.text
    queue_policy = _policy(
        center, name="Chat hours", hours_queue_id=center.queues["chat"], is_default=False
    )
    center.clock.now = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    case = _case(center, sla_policy_id=queue_policy["id"])
    assert case["sla"]["first_response"]["due_at"] == _at(26, 11)
    assert case["sla"]["first_response"]["is_running"] is False
    around_the_clock = _case(center)  # the default policy: always open
    assert around_the_clock["sla"]["first_response"]["due_at"] == _at(25, 20)


def test_references_filters_links_and_lookup(center: Center, db: Database) -> None:
    first = _case(center)
    contact = center.contact()
    second = _case(center, assignee_agent_id=center.agents[0], contact_ids=[contact["id"]])
    number = int(first["reference"].removeprefix("C-"))
    assert second["reference"] == f"C-{number + 1:06d}"
    assert second["contact_ids"] == [contact["id"]]
    assert second["sla"] == {}  # no policy in this organization
    with db.transaction() as session:
        found = find_case_by_reference(
            session, center.tenant.organization_id, second["reference"].lower()
        )
        assert found is not None
        assert found.id == second["id"]
    by_reference = center.get(f"cases?reference={second['reference']}")["items"]
    assert [c["id"] for c in by_reference] == [second["id"]]
    assert [
        c["id"] for c in center.get(f"cases?assignee_agent_id={center.agents[0]}")["items"]
    ] == [second["id"]]
    assert [c["id"] for c in center.get(f"cases?contact_id={contact['id']}")["items"]] == [
        second["id"]
    ]
    _status(center, first["id"], "open")
    assert [c["id"] for c in center.get("cases?status=open&status=pending_customer")["items"]] == [
        first["id"]
    ]

    linked = center.post(f"cases/{first['id']}/contacts", {"contact_id": contact["id"]})
    assert linked.json()["contact_ids"] == [contact["id"]]
    unlinked = center.client.delete(
        f"/api/v1/cases/{first['id']}/contacts/{contact['id']}", headers=center.tenant.headers()
    )
    assert unlinked.json()["contact_ids"] == []
    patched = center.client.patch(
        f"/api/v1/cases/{second['id']}",
        json={"assignee_user_id": center.get("users")[0]["id"], "priority": "urgent"},
        headers=center.tenant.headers(),
    ).json()
    assert (patched["assignee_agent_id"], patched["priority"]) == (None, "urgent")
    gone = center.client.delete(f"/api/v1/cases/{first['id']}", headers=center.tenant.headers())
    assert gone.status_code == 204
    assert (
        center.client.get(
            f"/api/v1/cases/{first['id']}", headers=center.tenant.headers()
        ).status_code
        == 404
    )


def test_context_travels_with_the_offer(center: Center) -> None:
    customer = create_ok(
        center.client,
        center.tenant,
        "customers",
        {"display_name": "Lou", "identities": {"phone": "020 7946 0042"}},
    )
    earlier = create_ok(  # not queued: only history
        center.client,
        center.tenant,
        "contacts",
        {"channel": "voice", "customer_id": customer["id"], "subject": "Card blocked"},
    )
    case = _case(center, subject="Card replacement", contact_ids=[earlier["id"]])
    agent = center.agents[0]
    with center.client.websocket_connect(
        f"/api/v1/agents/{agent}/offers/stream", headers=center.tenant.headers(Role.SUPERVISOR)
    ) as socket:
        center.available(agent)
        call = center.contact(
            customer={"identities": {"phone": "+44 20 7946 0042"}},
            attributes={"ivr_menu": "cards", "account": "12345678"},
        )
        pushed = socket.receive_json()
    assert pushed["contact"]["id"] == call["id"]
    context = pushed["context"]
    assert context["customer"]["display_name"] == "Lou"
    assert context["collected"] == {"ivr_menu": "cards", "account": "12345678"}
    assert [c["id"] for c in context["recent_contacts"]] == [earlier["id"]]
    assert context["recent_contacts"][0]["subject"] == "Card blocked"
    assert [(c["reference"], c["is_linked"]) for c in context["open_cases"]] == [
        (case["reference"], False)
    ]
    (offer,) = center.get(f"agents/{agent}/offers")
    assert offer["context"] == context
    assert center.get(f"contacts/{call['id']}/context") == context


def test_a_case_opened_during_a_call_counts_as_answered_from_its_opening(center: Center) -> None:
    _policy(center)
    center.available(center.agents[0])
    call = center.contact()
    assert (
        center.post(f"contacts/{call['id']}/accept", {"agent_id": center.agents[0]}).status_code
        == 200
    )
    center.clock.advance(600)
    case = _case(center, contact_ids=[call["id"]])
    _move_to(center, WEDNESDAY_NOON + timedelta(minutes=15))
    answered = center.get(f"cases/{case['id']}")
    assert answered["first_response_at"] == _at(25, 12 + 10 / 60)
    assert answered["sla"]["first_response"]["phase"] == "met"


def test_concurrent_cases_get_distinct_consecutive_references(db: Database) -> None:
    tenant = make_tenant(db)

    def open_case(n: int) -> str:
        with db.transaction() as session:
            case = create_case(session, tenant.actor, NewCase(subject=f"n{n}"), now=WEDNESDAY_NOON)
            return case.reference

    with ThreadPoolExecutor(max_workers=4) as pool:
        references = list(pool.map(open_case, range(12)))
    assert sorted(references) == [f"C-{n:06d}" for n in range(1, 13)]


def test_public_holidays_are_not_business_time_when_the_policy_says_so(center: Center) -> None:
    plain = _policy(center, is_default=False)
    holidays = _policy(center, name="Holidays off", skip_public_holidays=True, is_default=False)
    center.clock.now = datetime(2026, 12, 24, 16, 0, tzinfo=UTC)  # Thursday before Christmas
    with_holidays = _case(center, sla_policy_id=plain["id"])
    without = _case(center, sla_policy_id=holidays["id"])
    assert with_holidays["sla"]["first_response"]["due_at"] == "2026-12-25T10:00:00Z"
    # 1 h on Thursday; Christmas (Fri), the weekend and Boxing Day observed (Mon 28) are skipped.
    assert without["sla"]["first_response"]["due_at"] == "2026-12-29T10:00:00Z"
