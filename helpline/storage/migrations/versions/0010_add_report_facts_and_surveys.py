"""Add contact report facts, handling spans and post-contact surveys.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 01:50:24.351317
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import helpline.storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_tallies",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("grain_start_us", sa.BigInteger(), nullable=False),
        sa.Column("offered", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("abandoned", sa.Integer(), nullable=False),
        sa.Column("short_abandoned", sa.Integer(), nullable=False),
        sa.Column("deflected", sa.Integer(), nullable=False),
        sa.Column("callbacks_requested", sa.Integer(), nullable=False),
        sa.Column("answered_within_threshold", sa.Integer(), nullable=False),
        sa.Column("removed_within_threshold", sa.Integer(), nullable=False),
        sa.Column("answered_wait_seconds", sa.Float(), nullable=False),
        sa.Column("longest_wait_seconds", sa.Float(), nullable=False),
        sa.Column("transferred", sa.Integer(), nullable=False),
        sa.Column("handled", sa.Integer(), nullable=False),
        sa.Column("talk_seconds", sa.Float(), nullable=False),
        sa.Column("hold_seconds", sa.Float(), nullable=False),
        sa.Column("acw_seconds", sa.Float(), nullable=False),
        sa.Column("attributions", sa.Integer(), nullable=False),
        sa.Column("slot_weighted_handling_seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_report_tallies_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id",
            "dimension",
            "group_key",
            "grain_start_us",
            name=op.f("pk_report_tallies"),
        ),
    )
    op.create_table(
        "survey_settings",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("asks_csat", sa.Boolean(), nullable=False),
        sa.Column("asks_nps", sa.Boolean(), nullable=False),
        sa.Column("asks_ces", sa.Boolean(), nullable=False),
        sa.Column("ces_scale_max", sa.Integer(), nullable=False),
        sa.Column("expires_after_hours", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_survey_settings_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_survey_settings")),
    )
    op.create_table(
        "contact_report_facts",
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("arrived_at_us", sa.BigInteger(), nullable=False),
        sa.Column("handling_ended_at_us", sa.BigInteger(), nullable=True),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("offered", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("abandoned", sa.Integer(), nullable=False),
        sa.Column("short_abandoned", sa.Integer(), nullable=False),
        sa.Column("deflected", sa.Integer(), nullable=False),
        sa.Column("callbacks_requested", sa.Integer(), nullable=False),
        sa.Column("answered_within_threshold", sa.Integer(), nullable=False),
        sa.Column("removed_within_threshold", sa.Integer(), nullable=False),
        sa.Column("answered_wait_seconds", sa.Float(), nullable=False),
        sa.Column("longest_wait_seconds", sa.Float(), nullable=False),
        sa.Column("transferred", sa.Integer(), nullable=False),
        sa.Column("handled", sa.Integer(), nullable=False),
        sa.Column("talk_seconds", sa.Float(), nullable=False),
        sa.Column("hold_seconds", sa.Float(), nullable=False),
        sa.Column("acw_seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_report_facts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_contact_report_facts_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_contact_report_facts")),
    )
    with op.batch_alter_table("contact_report_facts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_report_facts_org_arrived",
            ["organization_id", "arrived_at_us"],
            unique=False,
        )
        batch_op.create_index(
            "ix_contact_report_facts_org_ended",
            ["organization_id", "handling_ended_at_us"],
            unique=False,
        )

    op.create_table(
        "handling_spans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("started_at_us", sa.BigInteger(), nullable=False),
        sa.Column("ended_at_us", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_handling_spans_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_handling_spans_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handling_spans")),
    )
    with op.batch_alter_table("handling_spans", schema=None) as batch_op:
        batch_op.create_index("ix_handling_spans_contact", ["contact_id"], unique=False)
        batch_op.create_index(
            "ix_handling_spans_org_ended", ["organization_id", "ended_at_us"], unique=False
        )
        batch_op.create_index(
            "ix_handling_spans_org_agent_started",
            ["organization_id", "agent_id", "started_at_us"],
            unique=False,
        )
        batch_op.create_index(
            "ix_handling_spans_org_started", ["organization_id", "started_at_us"], unique=False
        )

    op.create_table(
        "surveys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "questions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("created_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_surveys_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_surveys_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_surveys_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_surveys_token_hash")),
    )
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveys_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_surveys_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "survey_answers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "survey_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("question", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("answered_at", helpline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_survey_answers_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_survey_answers_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_survey_answers_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_answers_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
        sa.UniqueConstraint(
            "survey_id", "question", name=op.f("uq_survey_answers_survey_id_question")
        ),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_answers_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_survey_answers_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_answers_organization_id"), ["organization_id"], unique=False
        )

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_org_type_occurred", ["organization_id", "type", "occurred_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_org_type_occurred")

    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_answers_organization_id"))
        batch_op.drop_index(batch_op.f("ix_survey_answers_contact_id"))
        batch_op.drop_index(batch_op.f("ix_survey_answers_agent_id"))

    op.drop_table("survey_answers")
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_organization_id"))
        batch_op.drop_index(batch_op.f("ix_surveys_contact_id"))
        batch_op.drop_index(batch_op.f("ix_surveys_agent_id"))

    op.drop_table("surveys")
    with op.batch_alter_table("handling_spans", schema=None) as batch_op:
        batch_op.drop_index("ix_handling_spans_org_started")
        batch_op.drop_index("ix_handling_spans_contact")
        batch_op.drop_index("ix_handling_spans_org_ended")
        batch_op.drop_index("ix_handling_spans_org_agent_started")

    op.drop_table("handling_spans")
    with op.batch_alter_table("contact_report_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_report_facts_org_ended")
        batch_op.drop_index("ix_contact_report_facts_org_arrived")

    op.drop_table("contact_report_facts")
    op.drop_table("survey_settings")
    op.drop_table("report_tallies")
