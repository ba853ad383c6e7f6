"""The ACD routing engine: a pure, deterministic core that decides which agent gets which contact.

Drive it with :class:`RoutingEngine` commands (time passed in as float seconds) and persist the events
it returns; rebuild it after a restart with :meth:`RoutingEngine.from_snapshot`.
"""
# ruff: noqa: E402 -- the stale-extension check runs before the compiled modules are imported

from helpline import _native

_native.check(package="helpline.routing")  # before any compiled module: refuse stale extensions

from helpline.routing.criteria import RoutingCriteria, SkillRequirement, Step
from helpline.routing.engine import AgentView, ContactView, RoutingEngine
from helpline.routing.hours import ALWAYS_OPEN, Hours, OpenIntervals
from helpline.routing.model import (
    AgentSelection,
    AgentSpec,
    AgentState,
    AgentStatus,
    Channel,
    ChannelSettings,
    ClosedTreatment,
    ContactSpec,
    ContactState,
    Overflow,
    ProfileQueue,
    Queue,
    RoutingConfig,
    RoutingProfile,
)
from helpline.routing.snapshot import AgentSnapshot, EngineSnapshot, HeldContact, WaitingContact

__all__ = [
    "ALWAYS_OPEN",
    "AgentSelection",
    "AgentSnapshot",
    "AgentSpec",
    "AgentState",
    "AgentStatus",
    "AgentView",
    "Channel",
    "ChannelSettings",
    "ClosedTreatment",
    "ContactSpec",
    "ContactState",
    "ContactView",
    "EngineSnapshot",
    "HeldContact",
    "Hours",
    "OpenIntervals",
    "Overflow",
    "ProfileQueue",
    "Queue",
    "RoutingConfig",
    "RoutingCriteria",
    "RoutingEngine",
    "RoutingProfile",
    "SkillRequirement",
    "Step",
    "WaitingContact",
]
