"""The way in for every adapter: store an inbound message and route the contact it opened."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.concurrency import run_in_threadpool

from helpline.domain.messages import InboundMessage
from helpline.services.acd import commands as acd
from helpline.services.acd.routing import RoutingService
from helpline.services.actor import Actor
from helpline.services.conversations.messaging import (
    ReceivedMessage,
    receive_message_idempotently,
)
from helpline.services.unit_of_work import Database


class Inbox:
    """Hands adapters' inbound messages to the messaging service, then to the ACD."""

    def __init__(self, db: Database, routing: RoutingService) -> None:
        self.db = db
        self.routing = routing
        self.clock = db.clock

    def receive_sync(
        self,
        actor: Actor,
        inbound: InboundMessage,
        *,
        queue_id: int | None = None,
        contact_id: int | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> ReceivedMessage:
        """Store ``inbound`` (once per channel message id) and route a contact it opened.

        A concurrent delivery of the same message loses the insert race and finds the winner's row.
        """
        received = receive_message_idempotently(
            self.db.transaction,
            actor,
            inbound,
            queue_id=queue_id,
            contact_id=contact_id,
            attributes=attributes,
        )
        if received.contact_created:
            acd.route_contact(self.routing, actor, received.contact_id)
        return received

    async def receive(
        self,
        actor: Actor,
        inbound: InboundMessage,
        *,
        queue_id: int | None = None,
        contact_id: int | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> ReceivedMessage:
        """:meth:`receive_sync` off the event loop."""
        return await run_in_threadpool(
            lambda: self.receive_sync(
                actor, inbound, queue_id=queue_id, contact_id=contact_id, attributes=attributes
            )
        )
