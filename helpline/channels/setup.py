"""Which channel adapters a process runs, chosen from its settings."""

from __future__ import annotations

from helpline.channels.base import ChannelRegistry
from helpline.channels.chat.adapter import ChatAdapter
from helpline.config import Settings


def channel_registry(settings: Settings) -> ChannelRegistry:
    """The adapters ``settings`` enable (each channel's settings say how it connects)."""
    registry = ChannelRegistry()
    # Web chat binds no port of its own (it is served by the API), so it always runs.
    registry.register(ChatAdapter.from_settings(settings))
    return registry
