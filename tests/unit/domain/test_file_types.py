"""File types come from the bytes: disguised pages are found, honest files keep their type."""

from __future__ import annotations

import pytest

from helpline.domain.file_types import OCTET_STREAM, is_refused, sniff_media_type

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/vnd.oasis.opendocument.textPK\x03\x04"


@pytest.mark.parametrize(
    ("data", "filename", "declared", "expected"),
    [
        (PNG, "photo.jpg", "image/jpeg", "image/png"),
        (b"\xff\xd8\xff\xe0JFIF", "x", "", "image/jpeg"),
        (b"%PDF-1.7\n", "invoice.pdf", "application/pdf", "application/pdf"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a.webp", "", "image/webp"),
        (b"PK\x03\x04rest", "report.docx", "application/zip", DOCX),
        (ODT, "letter.odt", "", "application/vnd.oasis.opendocument.text"),
        (b"PK\x03\x04rest", "archive.bin", "", "application/zip"),
        (b"MZ\x90\x00", "invoice.pdf", "application/pdf", "application/x-msdownload"),
        (b"<!DOCTYPE html><p>hi", "photo.png", "image/png", "text/html"),
        (b"  <html><script>x()</script>", "notes.txt", "text/plain", "text/html"),
        (b'<?xml version="1.0"?><svg onload="x()"/>', "logo.png", "image/png", "image/svg+xml"),
        (b"alert(document.cookie)", "x.js", "text/plain", "text/javascript"),
        (b"card ending 42", "notes.txt", "text/plain", "text/plain"),
        (b"a,b\n1,2\n", "data.csv", "text/csv", "text/csv"),
        (b"BEGIN:VCALENDAR\r\n", "invite", "text/calendar", "text/calendar"),
        (b"plain words", "x", "text/html", "text/plain"),  # a claimed type is never taken as is
        (b"\x00\x01\x02\x03binary", "x.png", "image/png", OCTET_STREAM),
        (b"", "empty.txt", "text/plain", OCTET_STREAM),
    ],
)
def test_sniffed_type_comes_from_the_bytes(
    data: bytes, filename: str, declared: str, expected: str
) -> None:
    assert sniff_media_type(data, filename, declared) == expected


def test_refused_types_match_exactly_or_by_family() -> None:
    refused = ("text/html", "video/")
    assert is_refused("text/html", refused)
    assert is_refused("video/mp4", refused)
    assert not is_refused("text/html-like", refused)
    assert not is_refused("text/plain", refused)
