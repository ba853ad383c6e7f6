"""Which channel adapters a process runs, chosen from its settings."""

from __future__ import annotations

from helpline.channels.base import ChannelRegistry
from helpline.channels.chat.adapter import ChatAdapter
from helpline.channels.email import EmailAdapter
from helpline.channels.providers import ProviderAdapter
from helpline.config import Settings
from helpline.domain.enums import Channel


def channel_registry(settings: Settings) -> ChannelRegistry:
    """The adapters ``settings`` enable (each channel's settings say how it connects)."""
    registry = ChannelRegistry()
    # SMS and social replies go out through each organization's provider connections; no port bound.
    for channel in (Channel.SMS, Channel.SOCIAL):
        registry.register(
            ProviderAdapter(
                channel,
                timeout_seconds=settings.provider_timeout_seconds,
                public_url=settings.public_url,
            )
        )
    # Web chat binds no port of its own (it is served by the API), so it always runs.
    registry.register(ChatAdapter.from_settings(settings))
    # Email replies always go out through the relay; the inbound listener and the IMAP poller
    # start only when their settings ask for them.
    registry.register(EmailAdapter(settings))
    return registry
