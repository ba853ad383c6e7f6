"""Request and response bodies of the chat routes (widget configuration, agent typing)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field

from helpline.api.schemas import Body, Id, Name
from helpline.services.conversations.chat_widgets import (
    DEFAULT_ATTACHMENT_BYTES,
    DEFAULT_ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    normalize_origin,
)


def _origin(value: str) -> str:
    return "*" if value.strip() == "*" else normalize_origin(value)


Origin = Annotated[str, Field(max_length=300), AfterValidator(_origin)]
MediaType = Annotated[
    str,
    Field(
        max_length=127,
        pattern=r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$",
        description="A lower-case media type, e.g. image/png",
    ),
]


class ChatWidgetIn(Body):
    name: Name
    title: str = Field(default="", max_length=200, description="Shown in the chat panel's header")
    queue_id: Id = Field(description="The chat queue new chats go to")
    allowed_origins: list[Origin] = Field(
        default_factory=list,
        max_length=50,
        description="Sites that may embed the widget (https://shop.example); * for any",
    )
    max_attachment_bytes: int = Field(
        default=DEFAULT_ATTACHMENT_BYTES, ge=1, le=MAX_ATTACHMENT_BYTES
    )
    attachment_types: list[MediaType] = Field(
        default_factory=lambda: list(DEFAULT_ATTACHMENT_TYPES),
        max_length=50,
        description="Media types visitors may upload; empty: no uploads",
    )
    is_enabled: bool = True
    callback_queue_id: Id | None = Field(
        default=None,
        description="The voice queue visitors may book a callback on; none: no callbacks",
    )


class ChatWidgetOut(ChatWidgetIn):
    id: int
    queue_id: int | None  # type: ignore[assignment]  # None once its queue is gone (older data)
    public_key: str = Field(description="Goes into the embedding script tag as data-org")


class TypingIn(Body):
    is_typing: bool = True


class TypingOut(BaseModel):
    sockets: int = Field(description="Visitor sockets of this process the indicator went to")


class VisitorCallbackIn(Body):
    """A chat visitor books a callback on the widget's callback queue."""

    phone: str = Field(min_length=1, max_length=40, description="The number to call back")
    slot_start: AwareDatetime = Field(description="Start of a slot from GET /chat/callback-slots")


class VisitorCallbackOut(BaseModel):
    """The booked callback, as the visitor sees it."""

    id: int
    phone: str = Field(description="The number that will be called (normalised)")
    slot_start: datetime
    slot_end: datetime
