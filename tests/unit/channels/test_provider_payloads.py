"""Reading providers' webhook payloads: inbound messages and delivery receipts of both formats."""

from __future__ import annotations

import pytest

from helpline.channels.providers import parse_inbound, parse_status
from helpline.domain.messages import DeliveryStatus
from helpline.errors import InvalidInput
from helpline.services.conversations.provider_connections import ProviderKind


def test_twilio_and_generic_inbound_messages_are_read_alike() -> None:
    twilio = parse_inbound(
        ProviderKind.TWILIO,
        {"MessageSid": "SM1", "From": "+447700900123", "To": "+447700900001", "Body": "Hi"},
    )
    generic = parse_inbound(
        ProviderKind.GENERIC_JSON,
        {"message_id": "g1", "from": "+447700900123", "text": "Hi", "name": "Nia"},
    )
    assert (twilio.external_id, twilio.sender, twilio.body) == ("SM1", "+447700900123", "Hi")
    assert (generic.external_id, generic.sender, generic.name) == ("g1", "+447700900123", "Nia")


def test_a_twilio_picture_message_may_have_no_text() -> None:
    parsed = parse_inbound(
        ProviderKind.TWILIO, {"MessageSid": "SM2", "From": "+447700900123", "NumMedia": "1"}
    )
    assert parsed.body == ""


@pytest.mark.parametrize(
    ("provider", "payload", "field"),
    [
        (ProviderKind.GENERIC_JSON, {"from": "+1", "text": "x"}, "message_id"),
        (ProviderKind.GENERIC_JSON, {"message_id": "m", "from": "+1", "text": 5}, "text"),
        (ProviderKind.TWILIO, {"MessageSid": "SM3", "Body": "x"}, "From"),
    ],
)
def test_missing_fields_are_named(
    provider: ProviderKind, payload: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_inbound(provider, payload)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("provider", "payload", "status"),
    [
        (ProviderKind.TWILIO, {"MessageSid": "SM1", "MessageStatus": "delivered"}, "delivered"),
        (ProviderKind.TWILIO, {"MessageSid": "SM1", "MessageStatus": "undelivered"}, "failed"),
        (ProviderKind.TWILIO, {"MessageSid": "SM1", "MessageStatus": "sending"}, None),
        (ProviderKind.GENERIC_JSON, {"message_id": "p1", "status": "failed"}, "failed"),
        (ProviderKind.GENERIC_JSON, {"message_id": "p1", "status": "sent"}, None),
    ],
)
def test_only_final_statuses_change_a_message(
    provider: ProviderKind, payload: dict[str, object], status: str | None
) -> None:
    receipt = parse_status(provider, payload)
    assert receipt.status == (DeliveryStatus(status) if status else None)


def test_an_unknown_generic_status_is_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_status(ProviderKind.GENERIC_JSON, {"message_id": "p1", "status": "exploded"})
