"""Add provider connections (SMS/social), voice numbers and agent extensions.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("network", sa.String(length=64), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("outbound_url", sa.String(length=500), nullable=False),
        sa.Column("outbound_username", sa.String(length=200), nullable=False),
        sa.Column("outbound_password", sa.String(length=200), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_provider_connections_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_provider_connections_queue_id_queues"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_connections")),
        sa.UniqueConstraint(
            "organization_id", "name", name=op.f("uq_provider_connections_organization_id_name")
        ),
    )
    op.create_index(
        op.f("ix_provider_connections_organization_id"),
        "provider_connections",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "voice_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_voice_numbers_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_voice_numbers_queue_id_queues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_numbers")),
        sa.UniqueConstraint(
            "organization_id", "number", name=op.f("uq_voice_numbers_organization_id_number")
        ),
    )
    op.create_index(
        op.f("ix_voice_numbers_organization_id"), "voice_numbers", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_voice_numbers_queue_id"), "voice_numbers", ["queue_id"], unique=False)
    op.add_column("agents", sa.Column("extension", sa.String(length=32), nullable=True))
    op.create_index(
        "ix_agents_organization_id_extension",
        "agents",
        ["organization_id", "extension"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_agents_organization_id_extension", table_name="agents")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("extension")
    op.drop_index(op.f("ix_voice_numbers_queue_id"), table_name="voice_numbers")
    op.drop_index(op.f("ix_voice_numbers_organization_id"), table_name="voice_numbers")
    op.drop_table("voice_numbers")
    op.drop_index(
        op.f("ix_provider_connections_organization_id"), table_name="provider_connections"
    )
    op.drop_table("provider_connections")
