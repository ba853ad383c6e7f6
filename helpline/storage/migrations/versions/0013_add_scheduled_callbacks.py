"""Add scheduled callbacks: the callbacks table, each queue's slot length and capacity, and the
voice queue a chat widget books callbacks on.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpline.storage.types

UTC_DATETIME = helpline.storage.types.UTCDateTime(timezone=True)

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "callbacks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("slot_start", UTC_DATETIME, nullable=False),
        sa.Column("slot_end", UTC_DATETIME, nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("personal_seconds", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("routed_at", UTC_DATETIME, nullable=True),
        sa.Column("ended_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_callbacks_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_callbacks_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_callbacks_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_callbacks_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_callbacks_queue_id_queues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callbacks")),
    )
    with op.batch_alter_table("callbacks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_callbacks_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_callbacks_org_queue_slot",
            ["organization_id", "queue_id", "slot_start"],
            unique=False,
        )
        batch_op.create_index("ix_callbacks_state_slot", ["state", "slot_start"], unique=False)
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("callback_slot_minutes", sa.Integer(), server_default="30", nullable=False)
        )
        batch_op.add_column(
            sa.Column("callbacks_per_slot", sa.Integer(), server_default="5", nullable=False)
        )
    with op.batch_alter_table("chat_widgets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("callback_queue_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_chat_widgets_callback_queue_id_queues"),
            "queues",
            ["callback_queue_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("chat_widgets", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_chat_widgets_callback_queue_id_queues"), type_="foreignkey"
        )
        batch_op.drop_column("callback_queue_id")
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.drop_column("callbacks_per_slot")
        batch_op.drop_column("callback_slot_minutes")
    with op.batch_alter_table("callbacks", schema=None) as batch_op:
        batch_op.drop_index("ix_callbacks_state_slot")
        batch_op.drop_index("ix_callbacks_org_queue_slot")
        batch_op.drop_index(batch_op.f("ix_callbacks_organization_id"))
    op.drop_table("callbacks")
