"""Add agents' rostering profiles and time off, and the group of each scheduled activity.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 01:45:46.984661
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import helpline.storage.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_rostering_profiles",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("employment", sa.String(length=16), nullable=False),
        sa.Column("min_hours_per_week", sa.Float(), nullable=False),
        sa.Column("max_hours_per_week", sa.Float(), nullable=False),
        sa.Column("max_days_in_a_row", sa.Integer(), nullable=False),
        sa.Column("min_consecutive_days_off", sa.Integer(), nullable=False),
        sa.Column("min_rest_hours", sa.Float(), nullable=False),
        sa.Column(
            "availability",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "preferred_templates",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "preferred_days_off",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("avoids_nights", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_rostering_profiles_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_agent_rostering_profiles_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_agent_rostering_profiles")),
    )
    with op.batch_alter_table("agent_rostering_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agent_rostering_profiles_organization_id"),
            ["organization_id"],
            unique=False,
        )

    op.create_table(
        "time_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_time_off_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_time_off_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_off")),
    )
    with op.batch_alter_table("time_off", schema=None) as batch_op:
        batch_op.create_index(
            "ix_time_off_org_agent_start",
            ["organization_id", "agent_id", "starts_at"],
            unique=False,
        )

    with op.batch_alter_table("schedule_activities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("group", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("schedule_activities", schema=None) as batch_op:
        batch_op.drop_column("group")

    with op.batch_alter_table("time_off", schema=None) as batch_op:
        batch_op.drop_index("ix_time_off_org_agent_start")

    op.drop_table("time_off")
    with op.batch_alter_table("agent_rostering_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_rostering_profiles_organization_id"))

    op.drop_table("agent_rostering_profiles")
