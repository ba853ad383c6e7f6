"""Add login protection: failed-login throttles, two-factor login challenges and recovery codes,
TOTP secrets on users, session details, and the roles an organization makes use two factors.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 12:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import helpline.storage.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = helpline.storage.types.UTCDateTime(timezone=True)


def _owned(table: str) -> list[Any]:
    """The organization and user foreign keys of a per-user table."""
    return [
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f(f"fk_{table}_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=320), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", UTC_DATETIME, nullable=False),
        sa.Column("locked_until", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttles")),
        sa.UniqueConstraint("scope", "subject", name=op.f("uq_login_throttles_scope_subject")),
    )
    op.create_index(
        op.f("ix_login_throttles_window_started_at"), "login_throttles", ["window_started_at"]
    )
    op.create_table(
        "login_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        *_owned("login_challenges"),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_challenges")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_challenges_token_hash")),
    )
    for column in ("organization_id", "user_id", "expires_at"):
        op.create_index(op.f(f"ix_login_challenges_{column}"), "login_challenges", [column])
    op.create_table(
        "user_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        *_owned("user_recovery_codes"),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_recovery_codes")),
    )
    for column in ("organization_id", "user_id"):
        op.create_index(op.f(f"ix_user_recovery_codes_{column}"), "user_recovery_codes", [column])
    # Plain ADD COLUMN on both backends (no batch copy of these referenced tables).
    op.add_column("users", sa.Column("totp_secret", sa.Text(), nullable=True))
    op.add_column("users", sa.Column("totp_pending_secret", sa.Text(), nullable=True))
    op.add_column("users", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.add_column("user_sessions", sa.Column("last_used_at", UTC_DATETIME, nullable=True))
    op.add_column("user_sessions", sa.Column("client_address", sa.String(length=64), nullable=True))
    op.add_column("user_sessions", sa.Column("user_agent", sa.String(length=300), nullable=True))
    op.add_column(
        "organizations",
        sa.Column("two_factor_roles", sa.String(length=200), server_default="", nullable=False),
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), not a batch copy: recreating ``organizations`` or ``users``
    # would cascade-delete every row that refers to them.
    op.drop_column("organizations", "two_factor_roles")
    for column in ("user_agent", "client_address", "last_used_at"):
        op.drop_column("user_sessions", column)
    for column in ("totp_last_step", "totp_pending_secret", "totp_secret"):
        op.drop_column("users", column)
    op.drop_table("user_recovery_codes")
    op.drop_table("login_challenges")
    op.drop_table("login_throttles")
