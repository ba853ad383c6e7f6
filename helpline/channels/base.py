"""The small port every channel adapter implements, and the values that cross it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from helpline.domain.enums import Channel
from helpline.domain.messages import (
    Attachment,
    DeliveryReport,
    DeliveryStatus,
    InboundMessage,
    OutboundMessage,
)

if TYPE_CHECKING:
    from helpline.channels.inbox import Inbox

__all__ = [
    "Attachment",
    "ChannelAdapter",
    "ChannelRegistry",
    "DeliveryReport",
    "DeliveryStatus",
    "InboundMessage",
    "OutboundMessage",
]


class ChannelAdapter(ABC):
    """One channel's way in and out. Subclasses set ``channel`` and implement :meth:`send`.

    Adapters with a listener of their own (an SMTP server, an IMAP poller) also override
    :meth:`start` and :meth:`stop`; the application calls them at start-up and shut-down.
    """

    channel: Channel

    @abstractmethod
    async def send(self, message: OutboundMessage) -> DeliveryReport:
        """Deliver ``message`` to the customer, or report why not."""

    async def start(self, inbox: Inbox) -> None:  # noqa: B027 - optional hook
        """Start listening for inbound messages, handing them to ``inbox`` (nothing by default)."""

    async def stop(self) -> None:  # noqa: B027 - optional hook, nothing to stop by default
        """Stop listening and release resources (nothing by default)."""

    async def deliver_notices(self) -> int:
        """Send the channel's due service notices that are not contact messages (e.g. email address
        confirmations); the outbox calls it every round. Returns how many were attempted."""
        return 0


class ChannelRegistry:
    """The adapters a process runs, one per channel."""

    def __init__(self, adapters: Mapping[Channel, ChannelAdapter] | None = None) -> None:
        self._adapters: dict[Channel, ChannelAdapter] = dict(adapters or {})

    def register(self, adapter: ChannelAdapter) -> None:
        """Use ``adapter`` for its channel (replacing any earlier one)."""
        self._adapters[adapter.channel] = adapter

    def get(self, channel: Channel) -> ChannelAdapter | None:
        """The adapter for ``channel``, if one is registered."""
        return self._adapters.get(channel)

    def __iter__(self) -> Iterator[ChannelAdapter]:
        return iter(list(self._adapters.values()))

    async def start(self, inbox: Inbox) -> None:
        """Start every adapter's listener."""
        for adapter in self:
            await adapter.start(inbox)

    async def stop(self) -> None:
        """Stop every adapter, last started first."""
        for adapter in reversed(list(self)):
            await adapter.stop()
