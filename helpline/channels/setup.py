"""Which channel adapters a process runs, chosen from its settings."""

from __future__ import annotations

from helpline.channels.base import ChannelRegistry
from helpline.config import Settings


def channel_registry(settings: Settings) -> ChannelRegistry:
    """The adapters ``settings`` enable (each channel's settings say how it connects)."""
    del settings  # each adapter registers itself here from its own settings as channels land
    return ChannelRegistry()
