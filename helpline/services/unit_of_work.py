"""What shells need to run use cases: the database and the session of one unit of work.

Shells (API, web, CLI, channels) open a unit of work with ``db.transaction()`` (it writes) or
``db.read()`` (it only reads: on SQLite it takes no write lock, so open reads this way) and hand its
session to service functions; slow work (password hashing, HTTP calls) stays outside write units of
work. Shells name these types from here, never from storage or SQLAlchemy.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from helpline.storage.database import Database

__all__ = ["Database", "Session"]
