"""A comparable snapshot of everything one organization has stored, to prove nothing changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from helpline.bootstrap import Database
from helpline.storage.tables import Base


def organization_snapshot(db: Database, organization_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every organization-scoped table, as sorted tuples."""
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    with db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            column = table.c.get("organization_id")
            if column is None:
                column = table.c.id if table.name == "organizations" else None
            if column is None:
                continue
            rows = session.execute(select(table).where(column == organization_id)).all()
            snapshot[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
    return snapshot
