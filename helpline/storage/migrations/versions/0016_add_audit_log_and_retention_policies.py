"""Add the append-only audit log and per-channel retention policies.

On PostgreSQL a trigger refuses every UPDATE and DELETE of ``audit_log`` rows.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import helpline.storage.types

UTC_DATETIME = helpline.storage.types.UTCDateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_FUNCTION = """
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGER = """
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", UTC_DATETIME, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("resource_kind", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("client_ip", sa.String(length=64), nullable=False),
        sa.Column("is_security", sa.Boolean(), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_log_org_occurred", ["organization_id", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_audit_log_org_resource",
            ["organization_id", "resource_kind", "resource_id"],
            unique=False,
        )
    op.create_table(
        "retention_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("keep_days", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("applied_until", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_retention_policies_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_policies")),
        sa.UniqueConstraint(
            "organization_id",
            "channel",
            name=op.f("uq_retention_policies_organization_id_channel"),
        ),
    )
    with op.batch_alter_table("retention_policies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_retention_policies_organization_id"), ["organization_id"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(APPEND_ONLY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_is_append_only()")
    with op.batch_alter_table("retention_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_policies_organization_id"))
    op.drop_table("retention_policies")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_org_resource")
        batch_op.drop_index("ix_audit_log_org_occurred")
    op.drop_table("audit_log")
