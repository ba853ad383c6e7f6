"""Add hours overrides (dated closures, special opening hours) and holiday settings.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "holiday_settings",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("subdivision", sa.String(length=16), nullable=True),
        sa.Column("close_routing", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_holiday_settings_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_holiday_settings")),
    )
    op.create_table(
        "hours_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("closed_from", sa.String(length=5), nullable=True),
        sa.Column("closed_until", sa.String(length=5), nullable=True),
        sa.Column(
            "spans",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_hours_overrides_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_hours_overrides_queue_id_queues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hours_overrides")),
    )
    with op.batch_alter_table("hours_overrides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hours_overrides_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hours_overrides_queue_id"), ["queue_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hours_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hours_overrides_queue_id"))
        batch_op.drop_index(batch_op.f("ix_hours_overrides_organization_id"))
    op.drop_table("hours_overrides")
    op.drop_table("holiday_settings")
