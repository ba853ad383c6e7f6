"""The demo organization "Demo Bank": agents, teams, skills, queues, routing profiles, wrap-up codes
and customers with past contacts, created through the same services as real data.

Loading happens in one transaction, so the demo is either fully there or not at all, and loading it
again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import Channel, ContactState, IdentityKind, Role
from helpline.services.acd import configuration as config
from helpline.services.actor import system_actor
from helpline.services.conversations.canned_responses import CANNED_RESPONSE
from helpline.services.conversations.chat_widgets import (
    CHAT_WIDGET,
    DEFAULT_ATTACHMENT_BYTES,
    DEFAULT_ATTACHMENT_TYPES,
)
from helpline.services.conversations.contacts import NewContact, PastOutcome, record_past_contact
from helpline.services.conversations.email_verification import verify_as_operator
from helpline.services.identity import organizations
from helpline.services.identity.security import hash_password
from helpline.storage.tables import ChatWidget, Organization

DEMO_ORGANIZATION = "Demo Bank"
DEMO_PASSWORD = "helpline-demo"  # noqa: S105 - published demo credential, printed at start-up
DEMO_LOGINS = (
    ("admin@demo-bank.example", "Ada Admin", Role.ADMIN),
    ("manager@demo-bank.example", "Maya Manager", Role.MANAGER),
    ("supervisor@demo-bank.example", "Sam Supervisor", Role.SUPERVISOR),
    ("wfm@demo-bank.example", "Wes Planner", Role.WFM_ANALYST),
    ("qa@demo-bank.example", "Quinn Quality", Role.QA_ANALYST),
)
AGENT_COUNT = 20
CANNED_RESPONSES = (
    ("Greeting", "Hello {customer_name}, this is {agent_name}. How can I help you today?"),
    ("One moment", "Thank you, {customer_name}. Let me look into that for you."),
    ("Verify identity", "For your security, could you confirm your date of birth and postcode?"),
    (
        "Card blocked",
        "I have blocked the card. A replacement will reach you within 5 working days.",
    ),
    ("Statement copy", "I have sent a copy of your statement to the address on file."),
    (
        "Case opened",
        "I have opened case {case_reference} for this; quote it if you contact us again.",
    ),
    ("Anything else", "Is there anything else I can help you with today?"),
    ("Goodbye", "Thank you for contacting {organization_name}, {customer_name}. Have a good day!"),
)
"""The desk's canned responses of Demo Bank (title, text with placeholders)."""
CUSTOMER_COUNT = 200

_FIRST = (
    "Alex",
    "Blair",
    "Casey",
    "Dana",
    "Eli",
    "Frankie",
    "Gabi",
    "Harper",
    "Indy",
    "Jordan",
    "Kai",
    "Lee",
    "Morgan",
    "Noa",
    "Omar",
    "Pat",
    "Quinn",
    "Riley",
    "Sasha",
    "Toni",
    "Uma",
    "Val",
    "Wren",
    "Xena",
    "Yuri",
    "Zoe",
)
_LAST = (
    "Garcia",
    "Smith",
    "Nguyen",
    "Johnson",
    "Martinez",
    "Brown",
    "Lopez",
    "Davis",
    "Kim",
    "Wilson",
    "Rossi",
    "Cohen",
    "Okafor",
    "Silva",
    "Müller",
    "Novak",
)
WEEKDAY_HOURS = {"open": "08:00", "close": "20:00"}
SATURDAY_HOURS = {"open": "09:00", "close": "17:00"}


@dataclass(frozen=True)
class DemoSummary:
    """What ``load_demo`` did."""

    organization_id: int
    created: bool
    agents: int
    customers: int
    contacts: int


def _business_hours(days: str = "mon tue wed thu fri") -> dict[str, Any]:
    weekly: dict[str, list[dict[str, str]]] = {day: [WEEKDAY_HOURS] for day in days.split()}
    weekly["sat"] = [SATURDAY_HOURS]
    return {"always_open": False, "weekly": weekly}


def load_demo(session: Session, now: datetime, seed: int = 7) -> DemoSummary:
    """Create Demo Bank unless it exists; ``now`` anchors the past contacts' dates."""
    existing = session.scalar(select(Organization).where(Organization.name == DEMO_ORGANIZATION))
    if existing is not None:
        return DemoSummary(existing.id, created=False, agents=0, customers=0, contacts=0)
    rng = np.random.default_rng(seed)
    org = organizations.create_organization(session, DEMO_ORGANIZATION, "America/New_York", "US")
    actor = system_actor(org.id)
    password_hash = hash_password(DEMO_PASSWORD)
    for email, name, role in DEMO_LOGINS:
        organizations.create_user(
            session, actor, email=email, display_name=name, role=role, password_hash=password_hash
        )

    skills = {
        name: config.create(session, actor, config.SKILL, {"name": name, "description": text})["id"]
        for name, text in (
            ("billing", "Statements, fees and payments"),
            ("cards", "Debit and credit cards"),
            ("loans", "Loans and mortgages"),
            ("English", "Speaks English"),
            ("Spanish", "Speaks Spanish"),
        )
    }
    teams = [
        config.create(session, actor, config.TEAM, {"name": name, "description": text})["id"]
        for name, text in (
            ("Everyday Banking", "Billing and cards, English"),
            ("Lending", "Loans and mortgages"),
            ("Mesa Hispana", "Spanish-speaking customers"),
        )
    ]
    for code, label in (
        ("billing-question", "Billing question answered"),
        ("payment-arrangement", "Payment arrangement made"),
        ("card-lost", "Card reported lost or stolen"),
        ("card-activation", "Card activated"),
        ("loan-application", "Loan application taken"),
        ("loan-status", "Loan status given"),
        ("complaint", "Complaint logged"),
        ("other", "Other"),
    ):
        config.create(session, actor, config.WRAP_UP_CODE, {"code": code, "label": label})
    for title, text in CANNED_RESPONSES:
        config.create(session, actor, CANNED_RESPONSE, {"title": title, "text": text})

    def queue(name: str, channel: Channel, needs: list[tuple[str, int]], **extra: Any) -> int:
        values: dict[str, Any] = {
            "name": name,
            "channel": channel.value,
            "hours": _business_hours(),
            "closed_treatment": "callback" if channel is Channel.VOICE else "message",
            "closed_message": "We are closed. Our hours are Mon-Fri 8-20, Sat 9-17 (New York).",
            "skills": [{"skill_id": skills[s], "min_proficiency": p} for s, p in needs],
        } | extra
        return int(config.create(session, actor, config.QUEUE, values)["id"])

    queues = {
        "billing": queue("Billing (voice)", Channel.VOICE, [("billing", 2), ("English", 3)]),
        "cards": queue("Cards (voice)", Channel.VOICE, [("cards", 2), ("English", 3)], priority=1),
        "loans": queue(
            "Loans (voice)",
            Channel.VOICE,
            [("loans", 3), ("English", 3)],
            priority=2,
            service_level_seconds=30,
        ),
        "spanish": queue("Español (voz)", Channel.VOICE, [("Spanish", 3)]),
        "chat": queue(
            "Chat",
            Channel.CHAT,
            [("English", 3)],
            service_level_seconds=60,
            hours={
                "always_open": False,
                "weekly": {
                    d: [{"open": "08:00", "close": "22:00"}]
                    for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                },
            },
        ),
        "email": queue(
            "Email",
            Channel.EMAIL,
            [("English", 2)],
            service_level_percent=90.0,
            service_level_seconds=4 * 3600,
            hours={"always_open": True, "weekly": {}},
            after_contact_work_seconds=120,
        ),
    }
    config.update(
        session, actor, config.QUEUE, queues["loans"], {"overflow_queue_id": queues["billing"]}
    )
    address = config.create(
        session,
        actor,
        config.EMAIL_ADDRESS,
        {
            "address": "support@demo-bank.example",
            "queue_id": queues["email"],
            "display_name": "Demo Bank Support",
        },
    )
    # The operator running `demo-data` controls this made-up domain: no confirmation link.
    verify_as_operator(session, actor, address["id"])
    config.create(
        session,
        actor,
        CHAT_WIDGET,
        {
            "name": "Website",
            "title": "Chat with Demo Bank",
            "queue_id": queues["chat"],
            "callback_queue_id": queues["billing"],
            "allowed_origins": ["*"],
            "max_attachment_bytes": DEFAULT_ATTACHMENT_BYTES,
            "attachment_types": list(DEFAULT_ATTACHMENT_TYPES),
            "is_enabled": True,
        },
    )

    def profile(
        name: str, channels: dict[Channel, int], members: list[tuple[str, int, int]]
    ) -> int:
        return int(
            config.create(
                session,
                actor,
                config.ROUTING_PROFILE,
                {
                    "name": name,
                    "voice_blocks_other_channels": True,
                    "channels": [
                        {"channel": c.value, "concurrency": n} for c, n in channels.items()
                    ],
                    "queues": [
                        {"queue_id": queues[q], "priority": p, "delay_seconds": d}
                        for q, p, d in members
                    ],
                },
            )["id"]
        )

    profiles = [
        profile(
            "Everyday voice + chat",
            {Channel.VOICE: 1, Channel.CHAT: 3},
            [("cards", 1, 0), ("billing", 1, 0), ("chat", 2, 0), ("loans", 3, 30)],
        ),
        profile(
            "Lending blended",
            {Channel.VOICE: 1, Channel.CHAT: 2, Channel.EMAIL: 5},
            [("loans", 1, 0), ("billing", 2, 20), ("email", 3, 0)],
        ),
        profile(
            "Bilingual",
            {Channel.VOICE: 1, Channel.CHAT: 2},
            [("spanish", 1, 0), ("billing", 2, 0), ("chat", 3, 0)],
        ),
    ]
    agent_ids = []
    for number in range(1, AGENT_COUNT + 1):
        team_index = 0 if number <= 10 else (1 if number <= 15 else 2)
        first, last = _FIRST[number % len(_FIRST)], _LAST[number % len(_LAST)]
        user = organizations.create_user(
            session,
            actor,
            email=f"agent{number:02d}@demo-bank.example",
            display_name=f"{first} {last}",
            role=Role.AGENT,
            password_hash=password_hash,
        )
        levels = {
            0: {"billing": 4, "cards": 4, "English": 5},
            1: {"loans": 5, "billing": 3, "English": 5},
            2: {"Spanish": 5, "billing": 3, "English": 3},
        }[team_index]
        skill_rows = [
            {"skill_id": skills[s], "proficiency": min(5, max(1, p - int(rng.integers(0, 2))))}
            for s, p in levels.items()
        ]
        agent = config.create(
            session,
            actor,
            config.AGENT,
            {
                "user_id": user.id,
                "display_name": user.display_name,
                "team_id": teams[team_index],
                "routing_profile_id": profiles[team_index],
                "hourly_cost": 24.0 + team_index * 2,
                "skills": skill_rows,
            },
        )
        agent_ids.append(int(agent["id"]))

    contact_count = _load_customers(session, org.id, now, rng, queues, agent_ids)
    return DemoSummary(
        org.id, created=True, agents=AGENT_COUNT, customers=CUSTOMER_COUNT, contacts=contact_count
    )


def _load_customers(
    session: Session,
    organization_id: int,
    now: datetime,
    rng: np.random.Generator,
    queues: dict[str, int],
    agent_ids: list[int],
) -> int:
    actor = system_actor(organization_id)
    subjects = {
        "billing": "Question about a fee on my statement",
        "cards": "My card was declined",
        "loans": "Status of my loan application",
        "spanish": "Consulta sobre mi cuenta",
        "chat": "Help with online banking",
        "email": "Request for a statement copy",
    }
    channels = {"chat": Channel.CHAT, "email": Channel.EMAIL}
    count = 0
    for number in range(1, CUSTOMER_COUNT + 1):
        name = f"{_FIRST[int(rng.integers(len(_FIRST)))]} {_LAST[int(rng.integers(len(_LAST)))]}"
        identities = {
            IdentityKind.PHONE: f"+1 212 555 {number // 100 % 10}{number % 100:02d}{number % 7}",
            IdentityKind.EMAIL: f"customer{number:03d}@example.com",
        }
        for _ in range(int(rng.integers(1, 5))):
            queue_key = str(rng.choice(list(queues)))
            started = now - timedelta(days=float(rng.uniform(1, 60)))
            wait = timedelta(seconds=float(rng.exponential(25)))
            talk = timedelta(seconds=float(rng.lognormal(5.3, 0.5)))
            abandoned = rng.random() < 0.06
            record_past_contact(
                session,
                actor,
                NewContact(
                    channel=channels.get(queue_key, Channel.VOICE),
                    queue_id=queues[queue_key],
                    customer_name=name,
                    identities=identities,
                    subject=subjects[queue_key],
                ),
                PastOutcome(
                    queued_at=started,
                    state=ContactState.ABANDONED if abandoned else ContactState.CLOSED,
                    agent_id=None if abandoned else agent_ids[int(rng.integers(len(agent_ids)))],
                    connected_at=None if abandoned else started + wait,
                    ended_at=started + wait if abandoned else started + wait + talk,
                ),
            )
            count += 1
    return count


def demo_chat_key(session: Session) -> str | None:
    """The public key of Demo Bank's website chat widget, when the demo organization is loaded."""
    return session.scalar(
        select(ChatWidget.public_key)
        .join(Organization, Organization.id == ChatWidget.organization_id)
        .where(Organization.name == DEMO_ORGANIZATION)
        .order_by(ChatWidget.id)
        .limit(1)
    )
