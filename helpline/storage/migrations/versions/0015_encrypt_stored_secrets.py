"""Encrypt stored secrets: IMAP and outbound passwords, provider (webhook) secrets and chat widget
signing secrets become Fernet tokens under HELPLINE_SECRET_KEYS (helpline.storage.secrets).

The columns become TEXT (a token is longer than its secret); every plaintext value is encrypted
with the keyring the process installed when it opened the database. Downgrading decrypts them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpline.storage.secrets import (
    ENCRYPTED_COLUMNS,
    PREFIX,
    installed_keyring,
    rotate_stored_secrets,
)

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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


def upgrade() -> None:
    for (table_name, column_name), old in _OLD_TYPES.items():
        with op.batch_alter_table(table_name) as batch_op:
            batch_op.alter_column(column_name, existing_type=old, type_=sa.Text())
    connection = op.get_bind()
    if _has_secrets(connection):  # a new database needs no key yet
        rotate_stored_secrets(connection, installed_keyring())


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
