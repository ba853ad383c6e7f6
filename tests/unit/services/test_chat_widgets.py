"""Which pages may embed a chat widget."""

from __future__ import annotations

import pytest

from helpline.services.conversations.chat_widgets import (
    WidgetInfo,
    normalize_origin,
    origin_allowed,
)


def _widget(*origins: str) -> WidgetInfo:
    return WidgetInfo(
        id=1,
        organization_id=1,
        public_key="hlw_x",
        title="",
        queue_id=1,
        allowed_origins=origins,
        max_attachment_bytes=10,
        attachment_types=(),
        is_enabled=True,
        signing_secret="s",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://Shop.Example", "https://shop.example"),
        ("http://localhost:8080/", "http://localhost:8080"),
    ],
)
def test_origins_are_normalized(value: str, expected: str) -> None:
    assert normalize_origin(value) == expected


@pytest.mark.parametrize(
    "value", ["shop.example", "ftp://shop.example", "https://shop.example/page", "https://u@x.io"]
)
def test_things_that_are_not_origins_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="origin"):
        normalize_origin(value)


@pytest.mark.parametrize(
    ("origins", "page", "allowed"),
    [
        (("https://shop.example",), "https://shop.example", True),
        (("https://shop.example",), "https://SHOP.example", True),
        (("https://shop.example",), "https://evil.example", False),
        (("https://shop.example",), "http://shop.example", False),
        (("*",), "https://anyone.example", True),
        ((), "http://helpline.local:8000", True),  # Helpline's own pages (the demo)
        ((), "null", False),
        ((), None, True),  # no browser page: an Origin check cannot stop it anyway
    ],
)
def test_only_listed_sites_and_helpline_itself_may_embed(
    origins: tuple[str, ...], page: str | None, allowed: bool
) -> None:
    assert origin_allowed(_widget(*origins), page, "http://helpline.local:8000") is allowed
