"""Add routing state to contacts and agent statuses.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:22:07.138495
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import helpline.storage.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_statuses",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_since", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("idle_since", helpline.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_statuses_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_agent_statuses_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_agent_statuses")),
    )
    with op.batch_alter_table("agent_statuses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agent_statuses_organization_id"), ["organization_id"], unique=False
        )

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "routing_state",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default=sa.text("'{}'"),
            )
        )

    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overflow_after_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sticky_seconds", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.drop_column("sticky_seconds")
        batch_op.drop_column("overflow_after_seconds")

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("routing_state")

    with op.batch_alter_table("agent_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_statuses_organization_id"))

    op.drop_table("agent_statuses")
