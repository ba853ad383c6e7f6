"""Messages of text-channel contacts: read the conversation, reply, download an attachment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from helpline.api.schemas import ContactMessageOut, ReplyIn
from helpline.domain.privacy import AuditAction
from helpline.http.bounds import PathId
from helpline.http.deps import DB, CurrentActor, Now
from helpline.http.downloads import content_disposition
from helpline.services.conversations import messaging
from helpline.services.privacy.audit import record_personal_data_read

router = APIRouter(prefix="/contacts/{contact_id}/messages", tags=["Messages"])

ContactId = PathId


@router.get("", response_model=list[ContactMessageOut], summary="The messages of a contact")
def list_messages(contact_id: ContactId, actor: CurrentActor, db: DB) -> list[dict[str, Any]]:
    """Reading a transcript is recorded in the audit log."""
    with db.read() as session:
        found = messaging.list_messages(session, actor, contact_id)
    record_personal_data_read(db, actor, AuditAction.MESSAGES_READ, "Contact", contact_id)
    return found


@router.post(
    "",
    response_model=ContactMessageOut,
    status_code=201,
    summary="Reply to the customer on the contact's channel (queued for delivery)",
)
def reply(
    contact_id: ContactId, body: ReplyIn, actor: CurrentActor, db: DB, now: Now
) -> dict[str, Any]:
    with db.transaction() as session:
        message = messaging.send_message(
            session, actor, contact_id, body.body, subject=body.subject, now=now
        )
        return messaging.represent_message(message) | {"attachments": []}


@router.get(
    "/{message_id}/attachments/{attachment_id}",
    summary="Download a file of a message",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download_attachment(
    contact_id: ContactId,
    message_id: PathId,
    attachment_id: PathId,
    actor: CurrentActor,
    db: DB,
) -> Response:
    with db.read() as session:
        row = messaging.get_attachment(session, actor, contact_id, message_id, attachment_id)
        disposition = content_disposition(row.filename)
        data, media_type = row.data, row.content_type
    record_personal_data_read(db, actor, AuditAction.ATTACHMENT_READ, "Attachment", attachment_id)
    return Response(
        content=data,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )
