"""Encrypt stored secrets and verify inbound email addresses.

Secrets: IMAP and outbound passwords, provider (webhook) secrets and chat widget signing secrets
become Fernet tokens under HELPLINE_SECRET_KEYS (helpline.storage.secrets). The columns become
TEXT (a token is longer than its secret); every plaintext value is encrypted with the keyring the
process installed when it opened the database. Downgrading decrypts them.

Email addresses: an organization gets mail for an address only once it proved control of it
(``verified_at``); addresses configured before are taken as verified. Several organizations may
claim an address; only a verified one is unique across organizations.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpline.storage.secrets import (
    PREFIX,
    installed_keyring,
    rotate_stored_secrets,
)

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENCRYPTED_COLUMNS = (
    ("email_addresses", "imap_password"),
    ("provider_connections", "secret"),
    ("provider_connections", "outbound_password"),
    ("chat_widgets", "signing_secret"),
    ("email_addresses", "verification_token"),
)
"""The secrets of this revision (later revisions add columns the schema has not here yet)."""

_OLD_TYPES = {
    ("email_addresses", "imap_password"): sa.String(length=500),
    ("provider_connections", "secret"): sa.String(length=200),
    ("provider_connections", "outbound_password"): sa.String(length=200),
    ("chat_widgets", "signing_secret"): sa.String(length=64),
}


def _has_secrets(connection: sa.Connection) -> bool:
    for table_name, column_name in ENCRYPTED_COLUMNS:
        secrets = sa.table(table_name, sa.column(column_name))
        value = secrets.c[column_name]
        if connection.scalar(sa.select(sa.func.count()).select_from(secrets).where(value != "")):
            return True
    return False


def _upgrade_email_addresses() -> None:
    with op.batch_alter_table("email_addresses") as batch_op:
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("verification_token", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "verification_token_hash", sa.String(length=64), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column("verification_sent_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.drop_constraint("uq_email_addresses_address", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_email_addresses_organization_id_address"), ["organization_id", "address"]
        )
    with op.batch_alter_table("email_addresses") as batch_op:
        batch_op.alter_column("verification_token", server_default=None)
        batch_op.alter_column("verification_token_hash", server_default=None)
        batch_op.create_index(
            batch_op.f("ix_email_addresses_verification_token_hash"),
            ["verification_token_hash"],
            unique=False,
        )
    addresses = sa.table("email_addresses", sa.column("verified_at", sa.DateTime(timezone=True)))
    op.execute(addresses.update().values(verified_at=sa.func.current_timestamp()))
    op.create_index(
        "uq_email_addresses_verified_address",
        "email_addresses",
        ["address"],
        unique=True,
        sqlite_where=sa.text("verified_at IS NOT NULL"),
        postgresql_where=sa.text("verified_at IS NOT NULL"),
    )


def _downgrade_email_addresses() -> None:
    op.drop_index("uq_email_addresses_verified_address", table_name="email_addresses")
    op.execute("DELETE FROM email_addresses WHERE verified_at IS NULL")
    with op.batch_alter_table("email_addresses") as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_addresses_verification_token_hash"))
        batch_op.drop_constraint("uq_email_addresses_organization_id_address", type_="unique")
        batch_op.create_unique_constraint("uq_email_addresses_address", ["address"])
        batch_op.drop_column("verification_sent_at")
        batch_op.drop_column("verification_token_hash")
        batch_op.drop_column("verification_token")
        batch_op.drop_column("verified_at")


def upgrade() -> None:
    _upgrade_email_addresses()
    for (table_name, column_name), old in _OLD_TYPES.items():
        with op.batch_alter_table(table_name) as batch_op:
            batch_op.alter_column(column_name, existing_type=old, type_=sa.Text())
    connection = op.get_bind()
    if _has_secrets(connection):  # a new database needs no key yet
        rotate_stored_secrets(connection, installed_keyring(), ENCRYPTED_COLUMNS)


def downgrade() -> None:
    connection = op.get_bind()
    if _has_secrets(connection):
        keyring = installed_keyring()
        for table_name, column_name in ENCRYPTED_COLUMNS:
            secrets = sa.table(table_name, sa.column("id"), sa.column(column_name))
            value = secrets.c[column_name]
            rows = connection.execute(
                sa.select(secrets.c.id, value).where(value.startswith(PREFIX))
            ).all()
            for row_id, stored in rows:
                connection.execute(
                    sa.update(secrets)
                    .where(secrets.c.id == row_id)
                    .values({column_name: keyring.decrypt(stored)})
                )
    for (table_name, column_name), old in _OLD_TYPES.items():
        with op.batch_alter_table(table_name) as batch_op:
            batch_op.alter_column(column_name, existing_type=sa.Text(), type_=old)
    _downgrade_email_addresses()
