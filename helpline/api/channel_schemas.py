"""Request and response bodies of provider connections, voice numbers and the CTI events API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from helpline.api.schemas import Body, ContactOut, Id, Name
from helpline.http.hardening import BoundedObject
from helpline.services.conversations.provider_connections import ProviderKind

Url = Annotated[str, Field(max_length=500, pattern=r"^(https?://\S+)?$")]
CallId = Annotated[str, Field(min_length=1, max_length=150, pattern=r"^[A-Za-z0-9._:@-]+$")]


class ProviderConnectionIn(Body):
    name: Name
    provider: ProviderKind = Field(description="generic_json or twilio")
    channel: Literal["sms", "social"]
    address: str = Field(
        min_length=1,
        max_length=320,
        description="Our number (SMS, stored in E.164) or page handle (social)",
    )
    network: str = Field(
        default="",
        max_length=64,
        pattern=r"^[a-z0-9_.-]*$",
        description="Social network (facebook, instagram...): customers become network:handle",
    )
    queue_id: Id | None = Field(default=None, description="Where new conversations queue")
    secret: str = Field(
        min_length=16,
        max_length=200,
        description="Webhook signing secret (the auth token for Twilio); write-only",
    )
    outbound_url: Url = Field(
        default="",
        description="generic_json: URL replies are POSTed to; twilio: API base, e.g. "
        "https://api.twilio.com/2010-04-01",
    )
    outbound_username: str = Field(
        default="", max_length=200, description="Basic-auth user (the Twilio Account SID)"
    )
    outbound_password: str = Field(
        default="", max_length=200, description="Basic-auth password; write-only"
    )
    is_active: bool = True


class ProviderConnectionOut(BaseModel):
    id: int
    name: str
    provider: ProviderKind
    channel: str
    address: str
    network: str
    queue_id: int | None
    outbound_url: str
    outbound_username: str
    is_active: bool
    secret_is_set: bool
    outbound_password_is_set: bool


class VoiceNumberIn(Body):
    number: str = Field(min_length=3, max_length=32, description="A dialed number (stored E.164)")
    queue_id: Id = Field(description="The voice queue its calls go to")
    description: str = Field(default="", max_length=200)


class VoiceNumberOut(VoiceNumberIn):
    id: int


class CallOfferedIn(Body):
    call_id: CallId = Field(description="The phone system's id of the call (idempotency key)")
    caller_number: str = Field(
        default="", max_length=64, description="Caller's number; empty or 'anonymous' if withheld"
    )
    dialed_number: str = Field(min_length=3, max_length=32)
    queue_id: Id | None = Field(default=None, description="Overrides the dialed number's queue")
    caller_name: str = Field(default="", max_length=200)
    ivr: BoundedObject = Field(
        default_factory=dict,
        description="What the IVR collected; shown to the agent (at most 16 KiB as JSON)",
    )


class CallAnsweredIn(Body):
    agent_id: Id | None = None
    extension: str | None = Field(default=None, max_length=32)


class CallTransferredIn(Body):
    queue_id: Id | None = None
    agent_id: Id | None = None
    number: str | None = Field(default=None, max_length=32, description="External number")


class CallEndedIn(Body):
    ended_by: Literal["customer", "agent", "system"] = "customer"


class Decision(BaseModel):
    action: Literal["queue", "ring_agent", "connected", "closed", "none"] = Field(
        description="queue: keep the caller waiting; ring_agent: ring extension; closed: play "
        "message and hang up; connected: already with agent_id; none: the call is over"
    )
    agent_id: int | None = None
    extension: str | None = None
    offer_expires_at: float | None = Field(
        default=None, description="Unix seconds; after this the ACD re-queues an unanswered call"
    )
    message: str | None = None


class CallOut(BaseModel):
    call_id: str
    contact: ContactOut
    decision: Decision
    duplicate: bool = Field(description="True when this event was already applied (a retry)")
