"""Web chat widgets: per-organization configuration (public key, queue, allowed origins, file limits),
managed with the generic configuration CRUD, and looked up by public key for visitors."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import Channel
from helpline.errors import InvalidInput, NotFound
from helpline.services.access import owned_by
from helpline.services.acd.configuration import ResourceKind
from helpline.services.actor import Actor, system_actor
from helpline.storage.tables import ChatWidget, Queue

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
"""The largest per-file limit a widget may set (files are stored in the database)."""
DEFAULT_ATTACHMENT_BYTES = 5 * 1024 * 1024
DEFAULT_ATTACHMENT_TYPES = ("image/png", "image/jpeg", "image/gif", "application/pdf", "text/plain")


def _check_widget(session: Session, actor: Actor, row: ChatWidget) -> None:
    for name, wanted in (("queue_id", Channel.CHAT), ("callback_queue_id", Channel.VOICE)):
        queue_id = getattr(row, name)
        if queue_id is None:
            continue
        channel = session.scalar(
            select(Queue.channel).where(Queue.id == queue_id, owned_by(actor, Queue))
        )
        if channel is not None and channel != wanted.value:
            raise InvalidInput(name, f"queue {queue_id} takes {channel} contacts, not {wanted}")


CHAT_WIDGET = ResourceKind(
    "chat widget",
    "ChatWidget",
    ChatWidget,
    unique_fields=("name",),
    references={"queue_id": Queue, "callback_queue_id": Queue},
    hidden=("signing_secret",),
    check=_check_widget,
)


@dataclass(frozen=True)
class WidgetInfo:
    """What the visitor side needs of a widget (the signing secret stays on the server)."""

    id: int
    organization_id: int
    public_key: str
    title: str
    queue_id: int | None
    allowed_origins: tuple[str, ...]
    max_attachment_bytes: int
    attachment_types: tuple[str, ...]
    is_enabled: bool
    signing_secret: str = field(repr=False)
    callback_queue_id: int | None = None
    """The voice queue visitors may book callbacks on (None: no callbacks)."""

    @property
    def actor(self) -> Actor:
        """The actor visitor actions run as (the organization's system actor)."""
        return system_actor(self.organization_id)


def _info(row: ChatWidget) -> WidgetInfo:
    return WidgetInfo(
        id=row.id,
        organization_id=row.organization_id,
        public_key=row.public_key,
        title=row.title,
        queue_id=row.queue_id,
        allowed_origins=tuple(row.allowed_origins),
        max_attachment_bytes=row.max_attachment_bytes,
        attachment_types=tuple(row.attachment_types),
        is_enabled=row.is_enabled,
        signing_secret=row.signing_secret,
        callback_queue_id=row.callback_queue_id,
    )


def widget_by_key(session: Session, public_key: str) -> WidgetInfo:
    """The enabled widget with this public key (any organization: the key says which), or NotFound."""
    row = session.scalar(select(ChatWidget).where(ChatWidget.public_key == public_key))
    if row is None or not row.is_enabled or row.queue_id is None:
        raise NotFound("no chat widget with this key")
    return _info(row)


def widget_by_id(session: Session, organization_id: int, widget_id: int) -> WidgetInfo:
    """A widget of the organization by id (enabled or not), or NotFound."""
    row = session.scalar(
        select(ChatWidget).where(ChatWidget.id == widget_id, owned_by(organization_id, ChatWidget))
    )
    if row is None:
        raise NotFound(f"chat widget {widget_id} not found")
    return _info(row)


def normalize_origin(value: str) -> str:
    """``scheme://host[:port]`` in lower case, or ValueError for anything else (paths, no scheme)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"not an origin (https://host[:port]): {value!r}")
    if parts.path not in {"", "/"} or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"an origin has no path, query or user: {value!r}")
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(widget: WidgetInfo, origin: str | None, own_origin: str) -> bool:
    """Whether a browser page at ``origin`` may use the widget.

    Pages served by Helpline itself (``own_origin``, e.g. the demo page) always may; ``*`` in the
    widget's list allows any site. A request without an Origin header comes from no browser page
    (a server or a test client), which an Origin check could not stop anyway.
    """
    if origin is None:
        return True
    try:
        normalized = normalize_origin(origin)
    except ValueError:
        return False
    return (
        normalized == own_origin.lower()
        or "*" in widget.allowed_origins
        or normalized in widget.allowed_origins
    )
