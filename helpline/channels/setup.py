"""Which channel adapters a process runs, chosen from its settings."""

from __future__ import annotations

from helpline.channels.base import ChannelRegistry
from helpline.channels.email import EmailAdapter
from helpline.config import Settings


def channel_registry(settings: Settings) -> ChannelRegistry:
    """The adapters ``settings`` enable (each channel's settings say how it connects)."""
    registry = ChannelRegistry()
    # Email replies always go out through the relay; the inbound listener and the IMAP poller
    # start only when their settings ask for them.
    registry.register(EmailAdapter(settings))
    return registry
