"""Web chat: the widget script and demo page, the visitor WebSocket and file upload (public, by
widget key and session token), the agents' live stream and typing, and widget configuration."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, WebSocket
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.requests import HTTPConnection

from helpline.api import chat_schemas
from helpline.api.routes.callbacks import DayFrom, DayTo, SlotOut, slot_out
from helpline.api.routes.configuration import resource_router
from helpline.channels.chat.adapter import ChatAdapter
from helpline.channels.chat.agent import AgentSocket, send_agent_typing
from helpline.channels.chat.visitor import ChatContext, VisitorSocket, receive_from_visitor
from helpline.domain.enums import Channel
from helpline.domain.messages import Attachment
from helpline.errors import Conflict, HelplineError, NotFound, PermissionDenied
from helpline.http.bounds import MAX_ID, Cursor, PathId
from helpline.http.deps import CurrentActor, authenticate, get_db
from helpline.http.errors import error_response
from helpline.services.acd import callbacks
from helpline.services.actor import Actor
from helpline.services.conversations import chat as chats
from helpline.services.conversations.chat_widgets import (
    CHAT_WIDGET,
    WidgetInfo,
    origin_allowed,
    widget_by_key,
)

STATIC = FilePath(__file__).resolve().parents[2] / "channels" / "chat"
TOKEN_HEADER = "X-Chat-Token"  # noqa: S105 - a header name, not a secret

router = APIRouter(tags=["Chat"])
"""Visitor-facing routes under /chat (no API key: the widget key and session token)."""
agent_router = APIRouter(tags=["Chat"])
"""Agent-facing routes under /api/v1."""
widgets_router = resource_router(
    CHAT_WIDGET,
    "chat-widgets",
    "chat_widget_id",
    chat_schemas.ChatWidgetIn,
    chat_schemas.ChatWidgetOut,
)


def chat_context(connection: HTTPConnection) -> ChatContext:
    """The chat channel's collaborators; Conflict when no chat adapter runs in this process."""
    state = connection.app.state
    adapter = state.channels.get(Channel.CHAT)
    if not isinstance(adapter, ChatAdapter):
        raise Conflict("the chat channel is not enabled")
    return ChatContext(
        state.db, state.routing, state.inbox, adapter, state.db.clock, state.settings
    )


def own_origin(connection: HTTPConnection) -> str:
    """The origin Helpline itself is reached at (its demo page may always use the widget)."""
    scheme = {"ws": "http", "wss": "https"}.get(connection.url.scheme, connection.url.scheme)
    return f"{scheme}://{connection.headers.get('host', '')}"


def _widget(connection: HTTPConnection, key: str) -> WidgetInfo:
    with get_db(connection).transaction() as session:
        return widget_by_key(session, key)


# -- the widget and its demo -------------------------------------------------------------------


@router.get("/chat/widget.js", include_in_schema=False)
def widget_script() -> Response:
    """The embeddable widget (hand-written, no build step)."""
    return Response(
        (STATIC / "widget.js").read_bytes(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/chat/demo", response_class=HTMLResponse, include_in_schema=False)
def demo_page(key: str = "") -> str:
    """A page embedding the widget with ``?key=<public key>`` (a form asks for it otherwise)."""
    if not key:
        return _DEMO_FORM
    return _DEMO.replace("{key}", html.escape(key, quote=True))


# -- visitors ----------------------------------------------------------------------------------


@router.websocket("/chat/ws")
async def visitor_socket(websocket: WebSocket, key: str = "") -> None:
    """A visitor's chat (protocol in docs/channels-chat.md). Closes 4404 for an unknown or disabled
    widget key, 4403 for a page origin the widget does not allow."""
    try:
        ctx = chat_context(websocket)
        widget = await run_in_threadpool(_widget, websocket, key)
    except HelplineError as error:
        await _refuse(websocket, 4404, error.message)
        return
    if not origin_allowed(widget, websocket.headers.get("origin"), own_origin(websocket)):
        await _refuse(websocket, 4403, "this site may not use the chat widget")
        return
    await VisitorSocket(ctx, websocket, widget).run()


async def _refuse(websocket: WebSocket, code: int, reason: str) -> None:
    # Accept first: a socket closed during the handshake reaches the browser as a bare 1006, and
    # the widget could not tell "not here" (stop) from a network failure (reconnect).
    await websocket.accept()
    await websocket.close(code=code, reason=reason[:120])


def _cors(request: Request, widget: WidgetInfo | None) -> dict[str, str]:
    origin = request.headers.get("origin")
    if origin is None or widget is None or not origin_allowed(widget, origin, own_origin(request)):
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


async def _preflight(request: Request, key: str, methods: str) -> Response:
    """A CORS preflight answered for the sites the widget allows (404 unknown key, 403 other site)."""
    try:
        widget = await run_in_threadpool(_widget, request, key)
    except NotFound:
        return Response(status_code=404)
    headers = _cors(request, widget)
    if not headers:
        return Response(status_code=403)
    headers |= {
        "Access-Control-Allow-Methods": methods,
        "Access-Control-Allow-Headers": f"Content-Type, {TOKEN_HEADER}",
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=204, headers=headers)


@router.options("/chat/attachments", include_in_schema=False)
async def upload_preflight(request: Request, key: str = "") -> Response:
    """CORS preflight for uploads from the sites a widget allows."""
    return await _preflight(request, key, "POST")


@router.post(
    "/chat/attachments",
    status_code=201,
    summary="Upload a file into a chat (visitor; body = the file's bytes)",
    responses={422: {"description": "content_type, file (too large), filename or seq refused"}},
)
async def upload_attachment(
    request: Request,
    key: Annotated[str, Query(max_length=100, description="The widget's public key")],
    seq: Annotated[int, Query(ge=1, le=MAX_ID, description="The visitor's message number")],
    filename: Annotated[str, Query(max_length=255)],
    x_chat_token: Annotated[str, Header(max_length=200)],
) -> Response:
    """Store the request body as a message attachment of the session the token names, once per
    ``seq``; refused (nothing stored) when its type or size breaks the widget's limits."""
    widget: WidgetInfo | None = None
    try:
        ctx = chat_context(request)
        found = widget = await run_in_threadpool(_widget, request, key)
        if request.headers.get("origin") is not None and not _cors(request, found):
            raise PermissionDenied("this site may not use the chat widget")
        name = chats.check_attachment(found, filename, request.headers.get("content-type", ""))
        data = await _read_limited(request, found)

        def resume() -> chats.VisitorSession:
            with ctx.db.transaction() as session:
                return chats.resume_session(session, found, x_chat_token)

        visitor = await run_in_threadpool(resume)
        media_type = chats.stored_media_type(
            found,
            name,
            request.headers["content-type"],
            data,
            ctx.settings.refused_attachment_types,
        )
        _visitor, message_id, duplicate = await receive_from_visitor(
            ctx, visitor, seq, "", (Attachment(name, media_type, data),)
        )
    except HelplineError as error:
        response = error_response(error)
        response.headers.update(_cors(request, widget))
        return response
    return JSONResponse(
        {"id": message_id, "seq": seq, "duplicate": duplicate},
        status_code=200 if duplicate else 201,
        headers=_cors(request, widget),
    )


async def _read_limited(request: Request, widget: WidgetInfo) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > widget.max_attachment_bytes:
        raise chats.file_too_large(widget)
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > widget.max_attachment_bytes:
            raise chats.file_too_large(widget)
    return bytes(data)


# -- callbacks booked from the widget -------------------------------------------------------------


@router.options("/chat/callbacks", include_in_schema=False)
@router.options("/chat/callback-slots", include_in_schema=False)
async def callback_preflight(request: Request, key: str = "") -> Response:
    """CORS preflight for callback booking from the sites a widget allows."""
    return await _preflight(request, key, "GET, POST")


def _visitor_call(
    request: Request, key: str, action: Callable[[WidgetInfo], Any], status_code: int = 200
) -> Response:
    """``action(widget)`` for a visitor of the widget ``key``, its result as JSON; errors as JSON too,
    both with the CORS headers of the widget's allowed sites."""
    widget: WidgetInfo | None = None
    try:
        found = widget = _widget(request, key)
        if request.headers.get("origin") is not None and not _cors(request, found):
            raise PermissionDenied("this site may not use the chat widget")
        return JSONResponse(
            jsonable_encoder(action(found)), status_code=status_code, headers=_cors(request, widget)
        )
    except HelplineError as error:
        response = error_response(error, request)
        response.headers.update(_cors(request, widget))
        return response


@router.get(
    "/chat/callback-slots",
    summary="Bookable callback slots of a chat widget (visitor)",
    response_model=list[SlotOut],
)
def visitor_callback_slots(
    request: Request,
    key: Annotated[str, Query(max_length=100, description="The widget's public key")],
    first_day: DayFrom = None,
    last_day: DayTo = None,
) -> Response:
    """The slots of the widget's callback queue (404 when the widget offers no callbacks)."""

    def slots(widget: WidgetInfo) -> list[SlotOut]:
        with get_db(request).transaction() as session:
            found = callbacks.visitor_slots(session, widget, first_day, last_day)
        return [slot_out(slot) for slot in found]

    return _visitor_call(request, key, slots)


@router.post(
    "/chat/callbacks",
    status_code=201,
    summary="Book a callback from the chat (visitor)",
    response_model=chat_schemas.VisitorCallbackOut,
    responses={409: {"description": "The slot is full"}, 422: {"description": "phone, slot_start"}},
)
def visitor_book_callback(
    request: Request,
    body: chat_schemas.VisitorCallbackIn,
    key: Annotated[str, Query(max_length=100, description="The widget's public key")],
    x_chat_token: Annotated[str, Header(max_length=200)],
) -> Response:
    """The visitor of a chat session books a callback on the widget's callback queue, with the same
    rules as POST /api/v1/callbacks (their name and topic go with it)."""

    def book(widget: WidgetInfo) -> chat_schemas.VisitorCallbackOut:
        with get_db(request).transaction() as session:
            row = callbacks.book_visitor_callback(
                session, widget, x_chat_token, body.phone, body.slot_start
            )
            return chat_schemas.VisitorCallbackOut(
                id=row.id, phone=row.phone, slot_start=row.slot_start, slot_end=row.slot_end
            )

    return _visitor_call(request, key, book, status_code=201)


# -- agents ------------------------------------------------------------------------------------


def _agent_session(
    connection: HTTPConnection, actor: Actor, contact_id: int
) -> chats.VisitorSession:
    with get_db(connection).transaction() as session:
        return chats.session_for_contact(session, actor, contact_id)


@agent_router.websocket("/contacts/{contact_id}/chat/stream")
async def agent_stream(
    websocket: WebSocket, contact_id: PathId, after: Annotated[Cursor, Query()] = 0
) -> None:
    """The chat of a contact, live: ``session``, then ``message`` (replayed after ``after``, then as
    they come), ``typing`` and ``presence`` of the visitor. Send ``{"type": "typing", "is_typing":
    true}`` to show the agent typing. Closes 4403 when the caller may not follow this contact."""
    try:
        ctx = chat_context(websocket)
        db = get_db(websocket)
        actor = await run_in_threadpool(authenticate, websocket, db, "GET")
        visitor = await run_in_threadpool(_agent_session, websocket, actor, contact_id)
    except HelplineError as error:
        await websocket.close(code=4403, reason=error.message[:120])
        return
    await AgentSocket(ctx, websocket, visitor, max(0, after)).run()


@agent_router.post(
    "/contacts/{contact_id}/chat/typing",
    response_model=chat_schemas.TypingOut,
    summary="Show or hide the agent's typing indicator to the chat visitor",
)
async def agent_typing(
    body: chat_schemas.TypingIn,
    request: Request,
    actor: CurrentActor,
    contact_id: PathId,
) -> chat_schemas.TypingOut:
    visitor = await run_in_threadpool(_agent_session, request, actor, contact_id)
    return chat_schemas.TypingOut(
        sockets=send_agent_typing(chat_context(request), visitor, body.is_typing)
    )


_DEMO = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Helpline chat demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Chat demo</h1>
<p>This page embeds the Helpline chat widget the way any site would, with one script tag.
Open the chat with the button in the bottom-right corner.</p>
<pre>&lt;script src="/chat/widget.js" data-org="{key}"&gt;&lt;/script&gt;</pre>
<script src="/chat/widget.js" data-org="{key}"></script>
</body></html>
"""

_DEMO_FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Helpline chat demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Chat demo</h1>
<form method="get" action="/chat/demo">
<label for="key">Public key of a chat widget (POST /api/v1/chat-widgets creates one)</label><br>
<input id="key" name="key" size="40" required> <button type="submit">Open the demo</button>
</form>
</body></html>
"""
