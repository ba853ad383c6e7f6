"""Add schedules, schedule activities and adherence exceptions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 21:09:55.717335
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import helpline.storage.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("starts_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "inputs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "coverage",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_schedules_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_schedules_queue_id_queues"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
    )
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_schedules_org_week_status",
            ["organization_id", "week_start", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_schedules_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "adherence_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_adherence_exceptions_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_adherence_exceptions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adherence_exceptions")),
    )
    with op.batch_alter_table("adherence_exceptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_adherence_exceptions_org_agent_start",
            ["organization_id", "agent_id", "starts_at"],
            unique=False,
        )

    op.create_table(
        "schedule_activities",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("template", sa.String(length=200), nullable=False),
        sa.Column("starts_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_schedule_activities_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_schedule_activities_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name=op.f("fk_schedule_activities_schedule_id_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_activities")),
    )
    with op.batch_alter_table("schedule_activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_schedule_activities_org_agent_start",
            ["organization_id", "agent_id", "starts_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_schedule_activities_schedule_agent", ["schedule_id", "agent_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("schedule_activities", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_activities_schedule_agent")
        batch_op.drop_index("ix_schedule_activities_org_agent_start")

    op.drop_table("schedule_activities")
    with op.batch_alter_table("adherence_exceptions", schema=None) as batch_op:
        batch_op.drop_index("ix_adherence_exceptions_org_agent_start")

    op.drop_table("adherence_exceptions")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedules_organization_id"))
        batch_op.drop_index("ix_schedules_org_week_status")

    op.drop_table("schedules")
