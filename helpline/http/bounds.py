"""The limits every HTTP input is held to, declared in the OpenAPI schema so clients see them.

- Ids (path, query and body) are :data:`Id`: 1..2^31-1, what every backend stores (PostgreSQL's
  ``integer``); a larger one is a 422 naming it, never an "integer out of range" 500. In a path:
  :data:`PathId` (``contact_id: PathId``), or ``Annotated[Id, Path(alias=...)]``.
- Cursors and offsets (``after_id``, ``offset``) are :data:`Cursor`: 0..2^31-1.
- Numbers in bodies are finite (``Body`` sets ``allow_inf_nan=False``: NaN and Infinity are 422).
- Text cannot hold NUL characters or lone UTF-16 surrogates (neither backend stores them; neither
  is text a person wrote): :func:`~helpline.documents.refuse_unstorable_text` checks bodies (``Body``, ``Document``), and
  :func:`refuse_unstorable_parameters` the query and path parameters of every API route.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field
from starlette.requests import HTTPConnection

from helpline.documents import refuse_unstorable_text as refuse_unstorable_text
from helpline.documents import unstorable_reason
from helpline.errors import InvalidInput

MAX_ID = 2**31 - 1
"""The largest id any table holds (PostgreSQL ``integer``)."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An object's id wherever a client sends one: 1..2^31-1."""

PathId = Annotated[Id, Path()]
"""An id in the path: ``contact_id: PathId``."""

Cursor = Annotated[int, Field(ge=0, le=MAX_ID)]
"""A pagination position (an id already seen, an offset): 0..2^31-1."""

MAX_SEQUENCE = 2**63 - 1
"""The largest event sequence number (``bigint``)."""


def refuse_unstorable_parameters(connection: HTTPConnection) -> None:
    """Dependency of every API route and WebSocket: a 422 naming the query or path parameter that
    holds a NUL character or a lone surrogate."""
    for params in (connection.path_params, connection.query_params):
        for name, value in params.items():
            if isinstance(value, str) and (reason := unstorable_reason(value)):
                raise InvalidInput(name, reason)
