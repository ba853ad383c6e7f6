"""Responses that hand a stored file to the browser."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote


def ascii_filename(filename: str) -> str:
    """An ASCII stand-in for ``filename``: accents dropped (``Café`` -> ``Cafe``), other characters
    as ``_``, ``download`` for a name with no ASCII letter or digit left (``отчёт.pdf`` ->
    ``download.pdf``)."""
    decomposed = unicodedata.normalize("NFKD", filename)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_name = "".join(ch if " " <= ch < "\x7f" and ch not in '"\\' else "_" for ch in plain)
    stem, dot, extension = ascii_name.rpartition(".")
    if not dot:
        stem, extension = ascii_name, ""
    if not any(ch.isalnum() for ch in stem):
        stem = "download"
    if extension and not extension.isalnum():
        extension = ""
    return f"{stem}.{extension}" if extension else stem


def content_disposition(filename: str, kind: str = "attachment") -> str:
    """A Content-Disposition header for ``filename`` in any script (RFC 6266): an ASCII ``filename``
    for old clients and the exact name as ``filename*=UTF-8''...`` (RFC 5987) for the others."""
    name = "".join(ch for ch in filename if ch.isprintable() and ch not in "/\\") or "download"
    return f"{kind}; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
