"""What shells need to run use cases: the database and the session of one unit of work.

Shells (API, web, CLI, channels) open a unit of work with ``db.transaction()`` and hand its session
to service functions; they name these types from here, never from storage or SQLAlchemy.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from helpline.storage.database import Database

__all__ = ["Database", "Session"]
