"""Errors the routing engine raises when a command does not fit the current state.

    RoutingError
     ├── UnknownAgentError        no agent with that id is registered
     ├── UnknownContactError      no live contact with that id
     ├── UnknownQueueError        no queue with that id in the configuration
     ├── DuplicateIdError         an agent or contact id is already in use
     ├── InvalidTransitionError   the command is not allowed in the current state (accept a closed
     │                            contact, go offline while holding contacts...)
     └── ClockWentBackwardsError  ``now`` is earlier than a previous call's

The engine checks before it changes anything, so after an error its state is unchanged. The API layer
maps these to HTTP statuses (404 for the unknown-id errors, 409 for the rest).
"""

from __future__ import annotations


class RoutingError(Exception):
    """Base of the routing engine's errors."""


class UnknownAgentError(RoutingError):
    """No agent with that id is registered."""


class UnknownContactError(RoutingError):
    """No live contact with that id."""


class UnknownQueueError(RoutingError):
    """No queue with that id in the configuration."""


class DuplicateIdError(RoutingError):
    """An agent or contact id is already in use."""


class InvalidTransitionError(RoutingError):
    """The command is not allowed in the current state."""


class ClockWentBackwardsError(RoutingError):
    """``now`` is earlier than the time of a previous call."""
