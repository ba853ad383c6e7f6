"""What a file really is, from its first bytes (magic numbers), not from what its sender claims.

Attachments are stored under the type :func:`sniff_media_type` finds, so a page disguised as a
picture is stored (and refused, and served) as ``text/html``. A small table of signatures covers the
types contact centers receive; anything else binary is ``application/octet-stream``.
"""

from __future__ import annotations

from pathlib import PurePosixPath

OCTET_STREAM = "application/octet-stream"
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"%PDF-", "application/pdf"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"BM", "image/bmp"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"\x00\x00\x01\x00", "image/x-icon"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"\xff\xfb", "audio/mpeg"),
    (0, b"\xff\xf3", "audio/mpeg"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"\x1aE\xdf\xa3", "video/webm"),
    (4, b"ftyp", "video/mp4"),
    (0, b"%!PS", "application/postscript"),
    (0, b"{\\rtf", "application/rtf"),
    (0, b"\x1f\x8b", "application/gzip"),
    (0, b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (0, b"Rar!\x1a\x07", "application/vnd.rar"),
    (0, b"MZ", "application/x-msdownload"),
    (0, b"\x7fELF", "application/x-executable"),
    (0, b"\xca\xfe\xba\xbe", "application/x-mach-binary"),
    (0, b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
)
_RIFF = {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}
_ZIP_BY_SUFFIX = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OLE_BY_SUFFIX = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".msg": "application/vnd.ms-outlook",
}
_TEXT_BY_SUFFIX = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "text/html",
    ".svg": "image/svg+xml",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".csv": "text/csv",
    ".ics": "text/calendar",
    ".json": "application/json",
    ".xml": "application/xml",
    ".eml": "message/rfc822",
}
_PLAIN_TEXT_TYPES = frozenset({"text/plain", "text/csv", "text/calendar", "message/rfc822"})
"""Text types a sender may name for text that has no active content (HTML, SVG, script)."""
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe")


def _zip_type(data: bytes, suffix: str) -> str:
    # OpenDocument files start with an uncompressed "mimetype" member naming their type.
    if data[30:38] == b"mimetype":
        declared = data[38:120].split(b"PK", 1)[0].decode("ascii", "replace").strip()
        if declared.startswith("application/vnd.oasis.opendocument."):
            return declared
    return _ZIP_BY_SUFFIX.get(suffix, "application/zip")


def _looks_textual(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:  # a multi-byte character cut at the end is still text
        return error.start >= len(head) - 3
    return True


def _text_type(data: bytes, suffix: str, declared: str) -> str:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in head:
        return "image/svg+xml"
    if any(marker in head for marker in _HTML_MARKERS):
        return "text/html"
    by_suffix = _TEXT_BY_SUFFIX.get(suffix)
    if by_suffix is not None:
        return by_suffix
    if head.startswith(b"begin:vcalendar"):
        return "text/calendar"
    return declared if declared in _PLAIN_TEXT_TYPES else "text/plain"


def sniff_media_type(data: bytes, filename: str = "", declared: str = "") -> str:
    """The media type of ``data`` by its signature; for text, HTML/SVG markers and the file name's
    suffix decide (``declared`` only picks among harmless text types, never the type itself)."""
    suffix = PurePosixPath(filename.lower()).suffix
    declared = declared.split(";", 1)[0].strip().lower()
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data, suffix)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _OLE_BY_SUFFIX.get(suffix, "application/x-ole-storage")
    if data.startswith(b"RIFF") and data[8:12] in _RIFF:
        return _RIFF[data[8:12]]
    for offset, signature, media_type in _SIGNATURES:
        if data[offset : offset + len(signature)] == signature:
            return media_type
    if data and _looks_textual(data):
        return _text_type(data, suffix, declared)
    return OCTET_STREAM


def is_refused(media_type: str, refused: tuple[str, ...]) -> bool:
    """Whether ``media_type`` is one of ``refused`` (an entry ending in ``/`` refuses a family)."""
    return any(
        media_type.startswith(entry) if entry.endswith("/") else media_type == entry
        for entry in refused
    )
