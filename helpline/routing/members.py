"""Enum members of the routing model bound once, as module globals, for the engine's hot paths.

On Python 3.11 every attribute read on an enum class (``ContactState.QUEUED``) takes ``EnumType``'s
slow ``__getattr__`` path, about 0.2 us: more than the comparison it serves. The engine and the
simulator import the members from here instead.
"""

from __future__ import annotations

from helpline.routing.events import CloseReason, MissReason
from helpline.routing.model import AgentState, AgentStatus, Channel, ContactState

ABANDONED = ContactState.ABANDONED
AGENT_ACW = AgentState.ACW
AGENT_AVAILABLE = AgentState.AVAILABLE
AGENT_BUSY = AgentState.BUSY
AGENT_NOT_READY = AgentState.NOT_READY
AGENT_OFFLINE = AgentState.OFFLINE
AGENT_RESERVED = AgentState.RESERVED
CLOSED = ContactState.CLOSED
CLOSE_ACW_TIMED_OUT = CloseReason.ACW_TIMED_OUT
CLOSE_CLOSED_BY_AGENT = CloseReason.CLOSED_BY_AGENT
CLOSE_CLOSED_OUT_OF_HOURS = CloseReason.CLOSED_OUT_OF_HOURS
CLOSE_CONSULT_CANCELLED = CloseReason.CONSULT_CANCELLED
CLOSE_TRANSFERRED_OUT = CloseReason.TRANSFERRED_OUT
CLOSE_WRAPPED_UP = CloseReason.WRAPPED_UP
CONNECTED = ContactState.CONNECTED
IN_ACW = ContactState.ACW
MISS_REJECTED = MissReason.REJECTED
MISS_TIMED_OUT = MissReason.TIMED_OUT
OFFERED = ContactState.OFFERED
ON_HOLD = ContactState.ON_HOLD
QUEUED = ContactState.QUEUED
STATUS_AVAILABLE = AgentStatus.AVAILABLE
STATUS_NOT_READY = AgentStatus.NOT_READY
STATUS_OFFLINE = AgentStatus.OFFLINE
VOICE = Channel.VOICE

# Each channel's slot in an agent's per-channel lists: queues and contacts carry their channel's slot,
# so counting capacity is a list index, not a dictionary lookup by channel.
CHANNEL_SLOTS = {channel: slot for slot, channel in enumerate(Channel)}
VOICE_SLOT = CHANNEL_SLOTS[VOICE]
