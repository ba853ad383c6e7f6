"""An in-memory adapter that keeps what it is asked to send, for tests of everything above the channel."""

from __future__ import annotations

from helpline.channels.base import (
    ChannelAdapter,
    DeliveryReport,
    DeliveryStatus,
    OutboundMessage,
)
from helpline.domain.enums import Channel


class MemoryAdapter(ChannelAdapter):
    """Records outbound messages; fails the next ``fail_next`` sends (retryably) when asked to."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.sent: list[OutboundMessage] = []
        self.fail_next = 0

    async def send(self, message: OutboundMessage) -> DeliveryReport:
        if self.fail_next > 0:
            self.fail_next -= 1
            return DeliveryReport(DeliveryStatus.FAILED, error="simulated outage", retry=True)
        self.sent.append(message)
        return DeliveryReport(DeliveryStatus.SENT, provider_id=f"memory-{message.message_id}")
